import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { StationEvent } from "../contract/events.ts";
import type { JournalStatus } from "../contract/telemetry.ts";
import { usedRatio } from "./capacity.ts";
import { EventPage } from "./event-page.ts";
import { JournalAlarms, type JournalNotice } from "./journal-alarms.ts";
import { MemoryRows } from "./memory-rows.ts";
import type { AppendReport, Counts, JournalRow, OpenReport } from "./sqlite-journal.ts";
import { faultToError, type JournalFault } from "./storage-errors.ts";
import { round3, withTimeout } from "./timing.ts";
import { JournalWorkerClient, toFault, WorkerFault } from "./worker-client.ts";

export interface JournalOptions {
  file: string;
  maxEvents: number;
  maxBytes: number;
  maxFileBytes: number;
  warnRatio: number;
  memoryEvents: number;
  retryMs: number;
  /** delivered events kept on disk as local history (0: deleted once acknowledged) */
  keepDelivered?: number;
}

export type { JournalNotice };

/** A commit group is at most this many events (one postMessage, one transaction, one fsync). */
const MAX_GROUP = 20_000;
const STOP_TIMEOUT_MS = 3000;
/** delivered events deleted together while a backlog drains */
const DELETE_BATCH = 8192;
/**
 * The door waits for the journal at boot (the bus needs the last seq first). A disk that hangs
 * must not keep the door from starting: past this the journal runs in memory and says so.
 */
const OPEN_TIMEOUT_MS = 15_000;

/**
 * The station's event journal. `append` is synchronous and cheap (it serialises the event and
 * queues it); commits run in the journal worker in groups: while one group is being fsync'd the
 * next one gathers, so an event waits at most about two commits to be durable, and the door's
 * event loop never waits for the disk.
 *
 * Events are published from here, and leave only when `ackUpTo` says the broker has them. When
 * the disk cannot be written the journal keeps a bounded memory buffer, still hands it to the
 * publisher, raises `journal.unwritable`, and keeps trying to write.
 */
export class Journal {
  private readonly client = new JournalWorkerClient();
  private readonly memory: MemoryRows;
  private readonly readable = new Listeners<void>();
  private readonly commits = new Listeners<{ upTo: number; committedAt: number }>();
  private readonly rewinds = new Listeners<void>();
  private opened = false;
  private stopped = false;
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;
  private deleting: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  private fault: JournalFault | undefined;
  private unwritableSince = 0;
  private lastSeqSeen = 0;
  private durable = 0;
  private ackedUpTo = 0;
  private deletedUpTo = 0;
  private ackedNotDeleted = 0;
  private db: Counts = { count: 0, bytes: 0, droppedTotal: 0 };

  private readonly alarms: JournalAlarms;

  constructor(
    private readonly opts: JournalOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.alarms = new JournalAlarms(clock, log, opts, () => this.droppedTotal);
    this.memory = new MemoryRows(opts.memoryEvents);
  }

  /** Open (integrity check first). Never throws: a journal that cannot open runs in memory and says so. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.open();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    this.alarms.stop();
    const finish = async () => {
      await this.flushing;
      if (this.opened && !this.fault && this.memory.uncommitted.length > 0) await this.flush();
      await this.deleting;
      if (this.opened && !this.fault && this.ackedUpTo > this.deletedUpTo) await this.deleteAcked();
      if (this.opened) await this.client.request({ op: "close" }).catch(() => undefined);
    };
    await withTimeout(finish(), STOP_TIMEOUT_MS).catch((err) =>
      this.log.warn({ err: String(err) }, "journal did not close cleanly"),
    );
    this.opened = false;
    await this.client.terminate();
  }

  /** The bus sink: synchronous, no I/O. */
  append(event: StationEvent): void {
    const row: JournalRow = [event.seq, event.id, event.type, JSON.stringify(event)];
    this.memory.uncommitted.push(row);
    if (event.seq > this.lastSeqSeen) this.lastSeqSeen = event.seq;
    if (this.fault) {
      this.trimMemory();
      this.readable.emit();
    } else {
      this.scheduleFlush();
    }
  }

  /**
   * Up to `limit` deliverable events after `afterSeq`, in seq order: committed ones, and while
   * the disk is unwritable the ones held in memory too.
   */
  async read(fromSeq: number, limit: number, replayedUpTo = 0): Promise<EventPage> {
    // Acknowledged rows may still be on disk, waiting for their batch to be deleted.
    const afterSeq = Math.max(fromSeq, this.ackedUpTo);
    if (afterSeq < this.memory.diskOnlyUpTo && this.opened) {
      try {
        const packed = await this.client.request({ op: "read", afterSeq, limit, replayedUpTo });
        if (packed.seqs.length > 0) return EventPage.fromPacked(packed);
      } catch (err) {
        this.log.warn({ err: toFault(err).message }, "journal read failed; delivering from memory");
      }
    }
    return EventPage.fromRows(this.memory.collect(afterSeq, limit, this.fault !== undefined));
  }

  /** The broker has acknowledged every published event up to `seq` (`count` of them just now). */
  ackUpTo(seq: number, count: number): void {
    if (seq <= this.ackedUpTo) return;
    this.ackedUpTo = seq;
    this.ackedNotDeleted += count;
    this.memory.ackUpTo(seq, this.fault !== undefined);
    if (this.deleteDue()) void this.deleteAcked();
  }

  /** Called when there may be something new to read. */
  onReadable(listener: () => void): () => void {
    return this.readable.add(listener);
  }

  /** The journal's alarms (as events to emit); those raised before anyone listened come too. */
  onNotice(listener: (notice: JournalNotice) => void): () => void {
    return this.alarms.onNotice(listener);
  }

  /** Delivery must start again from the oldest event (a backlog appeared below what it delivered). */
  onRewind(listener: () => void): () => void {
    return this.rewinds.add(listener);
  }

  /** Every commit: the seq it made durable up to, and when (for measurements). */
  onCommit(listener: (c: { upTo: number; committedAt: number }) => void): () => void {
    return this.commits.add(listener);
  }

  /** Health, budget level or dropped counter changed (the state is worth re-publishing). */
  onChange(listener: () => void): () => void {
    return this.alarms.onChange(listener);
  }

  /** The seq of the newest event the journal knows; the bus numbers on from here. */
  get lastSeq(): number {
    return this.lastSeqSeen;
  }

  /** Events not yet acknowledged by the broker. */
  get backlog(): number {
    const onDisk = Math.max(0, this.db.count - this.ackedNotDeleted);
    return onDisk + this.memory.uncommitted.length;
  }

  get droppedTotal(): number {
    return this.db.droppedTotal + this.memory.dropped;
  }

  /** Run SQLite's full integrity check on the open journal; undefined when it is sound. */
  async integrityCheck(): Promise<string | undefined> {
    return (await this.client.request({ op: "check" })) ?? undefined;
  }

  status(): JournalStatus {
    const count = this.backlog;
    const bytes = Math.max(0, this.db.bytes) + this.memory.uncommitted.bytes;
    return {
      health: !this.opened && !this.fault ? "starting" : this.fault ? "unwritable" : this.alarms.level,
      backlog: count,
      bytes,
      usedRatio: round3(usedRatio(count, bytes, this.opts)),
      dropped: this.droppedTotal,
      lastSeq: this.lastSeqSeen,
      durableSeq: this.durable,
      ...(this.fault ? { error: faultToError(this.fault, this.opts.file).message } : {}),
    };
  }

  private async open(): Promise<void> {
    const { file, maxEvents, maxBytes, maxFileBytes, keepDelivered = 0 } = this.opts;
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => {
        const message = `opening took longer than ${OPEN_TIMEOUT_MS / 1000} s`;
        reject(new WorkerFault({ code: "JOURNAL_UNAVAILABLE", message }));
      }, OPEN_TIMEOUT_MS);
    });
    try {
      const limits = { maxEvents, maxBytes, maxFileBytes, keepDelivered };
      const report = await Promise.race([this.client.request({ op: "open", file, limits }), timeout]);
      this.onOpened(report);
    } catch (err) {
      const fault = toFault(err);
      if (fault.lastSeq !== undefined && fault.lastSeq > this.lastSeqSeen) this.lastSeqSeen = fault.lastSeq;
      this.enterUnwritable(fault);
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  private onOpened(report: OpenReport): void {
    this.opened = true;
    this.db = { count: report.count, bytes: report.bytes, droppedTotal: report.droppedTotal };
    if (report.lastSeq > this.lastSeqSeen) this.lastSeqSeen = report.lastSeq;
    this.durable = Math.max(this.durable, report.lastSeq);
    this.memory.diskOnlyUpTo = Math.max(this.memory.diskOnlyUpTo, report.lastSeq);
    if (this.ackedUpTo > 0 && report.count > 0) {
      // Opened late (the disk was unwritable at boot) over a backlog from before, while newer
      // events were already delivered from memory: those older rows are not acknowledged, and
      // delivery must go back for them, in seq order, before anything is deleted.
      this.ackedUpTo = 0;
      this.deletedUpTo = 0;
      this.ackedNotDeleted = 0;
      queueMicrotask(() => this.rewinds.emit());
    }
    // What an earlier run delivered (the watermark) is history, not backlog: never sent again.
    this.ackedUpTo = Math.max(this.ackedUpTo, report.deliveredSeq);
    this.deletedUpTo = Math.max(this.deletedUpTo, report.deliveredSeq);
    this.log.info(
      { file: this.opts.file, lastSeq: report.lastSeq, backlog: report.count, dropped: report.droppedTotal },
      "journal open",
    );
    if (report.corrupt) this.alarms.corrupt(this.opts.file, report.corrupt);
    this.alarms.updateLevel(this.status());
    if (report.count > 0) this.readable.emit();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || !this.opened || this.fault || this.stopped) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (!this.flushing) void this.flush();
    });
  }

  private flush(): Promise<void> {
    const rows = this.memory.uncommitted.slice(MAX_GROUP);
    const last = rows.at(-1);
    if (!last) return Promise.resolve();
    const upTo = last[0];
    const p = this.client
      .request({ op: "append", rows, lastSeq: this.lastSeqSeen })
      .then((report) => this.onCommitted(upTo, report))
      .catch((err) => this.enterUnwritable(toFault(err)))
      .finally(() => {
        this.flushing = undefined;
        // The next group goes at once: it gathered while this one was being written.
        if (this.memory.uncommitted.length > 0 && !this.fault && !this.stopped) void this.flush();
      });
    this.flushing = p;
    return p;
  }

  private onCommitted(upTo: number, report: AppendReport): void {
    this.db = { count: report.count, bytes: report.bytes, droppedTotal: report.droppedTotal };
    this.durable = Math.max(this.durable, upTo);
    this.memory.committedUpTo(upTo, this.ackedUpTo, report.dropped?.toSeq);
    if (report.dropped) this.alarms.recordDrop({ ...report.dropped, reason: "retention" });
    if (this.fault) this.leaveUnwritable();
    this.commits.emit({ upTo, committedAt: report.committedAt });
    if (this.deleteDue()) void this.deleteAcked();
    this.alarms.updateLevel(this.status());
    this.readable.emit();
  }

  /**
   * Delivered rows are deleted in batches while a backlog drains, and at once when delivery has
   * caught up. Each delete is a commit (an fsync) in the worker, queued before the next page
   * read: deleting after every few PUBACKs made the drain wait on the disk. A power cut can
   * then cost up to a batch of duplicates, never a loss.
   */
  private deleteDue(): boolean {
    if (this.deleting || !this.opened || this.fault || this.ackedUpTo <= this.deletedUpTo) return false;
    return this.ackedNotDeleted >= DELETE_BATCH || this.ackedUpTo >= this.durable;
  }

  private deleteAcked(): Promise<void> {
    const seq = this.ackedUpTo;
    const acked = this.ackedNotDeleted;
    const p = this.client
      .request({ op: "deleteUpTo", seq })
      .then((counts) => {
        this.deletedUpTo = seq;
        this.ackedNotDeleted -= acked;
        this.db = counts;
        this.alarms.updateLevel(this.status());
      })
      .catch((err) => this.enterUnwritable(toFault(err)))
      .finally(() => {
        this.deleting = undefined;
        if (!this.stopped && this.deleteDue()) void this.deleteAcked();
      });
    this.deleting = p;
    return p;
  }

  private enterUnwritable(fault: JournalFault): void {
    const first = !this.fault || this.fault.code !== fault.code;
    if (!this.fault) this.unwritableSince = this.clock.monotonic();
    this.fault = fault;
    if (fault.code === "JOURNAL_UNAVAILABLE" || fault.code === "JOURNAL_CORRUPT") this.opened = false;
    if (first) this.alarms.unwritable(this.opts.file, fault, this.memory.uncommitted.length);
    this.trimMemory();
    this.readable.emit();
    this.scheduleRetry();
  }

  private leaveUnwritable(): void {
    const unwritableMs = Math.round(this.clock.monotonic() - this.unwritableSince);
    this.fault = undefined;
    this.alarms.writable(this.opts.file, unwritableMs);
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.retry();
    }, this.opts.retryMs);
  }

  private async retry(): Promise<void> {
    if (this.stopped || !this.fault) return;
    if (!this.opened) {
      await this.open();
      if (!this.opened) return;
    }
    await this.flushing;
    await this.deleting;
    // Removing what was delivered meanwhile may be what makes room.
    if (this.ackedUpTo > this.deletedUpTo) await this.deleteAcked();
    if (this.memory.uncommitted.length > 0) await this.flush();
    else {
      // Nothing buffered to prove the disk writable: an empty group still commits last_seq.
      await this.client
        .request({ op: "append", rows: [], lastSeq: this.lastSeqSeen })
        .then((report) => this.onCommitted(this.durable, report))
        .catch((err) => this.enterUnwritable(toFault(err)));
    }
    if (this.fault) this.scheduleRetry();
  }

  /** While unwritable, memory is the journal: bounded, the oldest dropped and counted. */
  private trimMemory(): void {
    this.memory.trim((seq) =>
      this.alarms.recordDrop({ count: 1, fromSeq: seq, toSeq: seq, reason: "memory" }),
    );
  }
}
