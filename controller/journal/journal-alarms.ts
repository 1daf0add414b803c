import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { EventPayload } from "../contract/events.ts";
import type { journalEvents } from "../contract/journal-events.ts";
import { type CapacityLevel, capacityLevel } from "./capacity.ts";
import { faultToError, type JournalFault } from "./storage-errors.ts";

type JournalEventType = keyof typeof journalEvents;
/** An alarm of the journal's own, to be emitted as an event of that type. */
export type JournalNotice = {
  [K in JournalEventType]: { type: K; payload: EventPayload<K> };
}[JournalEventType];

export interface DropRange {
  count: number;
  fromSeq: number;
  toSeq: number;
  reason: "retention" | "memory";
}

/** At most one journal.dropped event per this interval; drops in between are summed. */
const DROP_REPORT_MS = 10_000;

/**
 * The journal's alarms: the capacity warning (with hysteresis), drop reports (summed, so an
 * overflow does not flood the journal with reports of itself), and the rest as they come
 * (corrupt, unwritable, writable again), each logged as it is raised.
 * Alarms become events, which come back into the journal's append(): they are always handed out
 * on a later microtask, never from inside it, and held until someone listens.
 */
export class JournalAlarms {
  private readonly notices = new Listeners<JournalNotice>();
  private readonly changes = new Listeners<void>();
  private readonly held: JournalNotice[] = [];
  private pendingDrop: DropRange | undefined;
  private lastDropReport = Number.NEGATIVE_INFINITY;
  private dropTimer: TimerHandle | undefined;
  level: CapacityLevel = "ok";

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly budget: { maxEvents: number; maxBytes: number; warnRatio: number },
    private readonly droppedTotal: () => number,
  ) {}

  onNotice(listener: (notice: JournalNotice) => void): () => void {
    const off = this.notices.add(listener);
    const held = this.held.splice(0);
    if (held.length > 0) {
      queueMicrotask(() => {
        for (const n of held) this.notify(n);
      });
    }
    return off;
  }

  /** Health, budget level or dropped counter changed (the state is worth re-publishing). */
  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }

  stop(): void {
    this.clock.clearTimeout(this.dropTimer);
    this.dropTimer = undefined;
  }

  notify(notice: JournalNotice): void {
    queueMicrotask(() => {
      if (this.notices.size === 0) this.held.push(notice);
      else this.notices.emit(notice);
      this.changes.emit();
    });
  }

  recordDrop(d: DropRange): void {
    const p = this.pendingDrop;
    this.pendingDrop = p
      ? {
          count: p.count + d.count,
          fromSeq: Math.min(p.fromSeq, d.fromSeq),
          toSeq: Math.max(p.toSeq, d.toSeq),
          reason: d.reason,
        }
      : d;
    const wait = this.lastDropReport + DROP_REPORT_MS - this.clock.monotonic();
    if (wait <= 0) queueMicrotask(() => this.reportDrop());
    else if (!this.dropTimer) {
      this.dropTimer = this.clock.setTimeout(() => {
        this.dropTimer = undefined;
        this.reportDrop();
      }, wait);
    }
  }

  /** Raise or clear the capacity warning for the budget's current fullness. */
  updateLevel(s: { usedRatio: number; backlog: number; bytes: number }): void {
    const next = capacityLevel(this.level, s.usedRatio, this.budget.warnRatio);
    if (next === this.level) return;
    this.level = next;
    const payload = {
      usedRatio: s.usedRatio,
      events: s.backlog,
      bytes: s.bytes,
      maxEvents: this.budget.maxEvents,
      maxBytes: this.budget.maxBytes,
    };
    if (next === "warning") {
      this.log.warn(payload, "journal retention budget past its warning ratio");
      this.notify({ type: "journal.capacity-warning", payload });
    } else {
      this.log.info(payload, "journal retention budget back to normal");
      this.notify({ type: "journal.capacity-normal", payload });
    }
  }

  /** The journal failed its integrity check at open: moved aside, a new one started. */
  corrupt(file: string, c: { movedTo: string; detail: string; salvagedSeq: number }): void {
    const { movedTo, detail, salvagedSeq } = c;
    this.log.error(
      { file, movedTo, detail, code: "JOURNAL_CORRUPT" },
      "the journal failed its integrity check: moved aside, a new one started",
    );
    this.notify({ type: "journal.corrupt", payload: { movedTo, detail, resumedAfterSeq: salvagedSeq } });
  }

  /** The disk cannot be written (or the journal opened): events are held in memory. */
  unwritable(file: string, fault: JournalFault, buffered: number): void {
    const err = faultToError(fault, file);
    this.log.error(
      { code: err.code, err: err.message, hint: err.details.hint, buffered },
      "journal cannot write: events are held in memory and still published",
    );
    this.notify({
      type: "journal.unwritable",
      payload: { code: fault.code, detail: err.message, path: file },
    });
  }

  writable(file: string, unwritableMs: number): void {
    this.log.info({ file, unwritableMs }, "journal writes again");
    this.notify({ type: "journal.writable", payload: { path: file, unwritableMs } });
  }

  private reportDrop(): void {
    const d = this.pendingDrop;
    if (!d) return;
    this.pendingDrop = undefined;
    this.lastDropReport = this.clock.monotonic();
    const droppedTotal = this.droppedTotal();
    this.log.warn({ ...d, droppedTotal }, "journal dropped undelivered events");
    this.notify({ type: "journal.dropped", payload: { ...d, droppedTotal } });
  }
}
