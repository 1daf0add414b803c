import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { TimeQuality } from "../contract/time-quality.ts";
import { inAnyWindow, localTime, type TimeWindow } from "../time/local-time.ts";

export type Role = "worker" | "technician" | "admin";

export interface PassageSettings {
  readonly windows: readonly TimeWindow[];
  readonly firstCardUnlock: boolean;
  readonly firstCardRoles: readonly Role[];
  readonly timezone: string;
  readonly holidays: ReadonlySet<string>;
  readonly whenTimeUnknown: boolean;
  readonly suspendOnBattery: boolean;
}

export interface PassageStatus {
  /** a scheduled window is open now (and may be applied) */
  windowOpen: boolean;
  /** the door is held open by passage mode */
  active: boolean;
  waitingForFirstCard: boolean;
  /** why a window that the schedule has open is not applied */
  suspended?: "time-unknown" | "on-battery";
}

const TICK_MS = 1000;

/**
 * Decides when passage mode (scheduled normally-open) holds the door. Windows are local wall
 * time, so they need a trusted clock: with the time unknown they are not applied unless the
 * written policy says so. With first-card-unlock a window starts only at the first grant of a
 * listed role, and that rearms when the window ends.
 */
export class PassageScheduler {
  private timer: TimerHandle | undefined;
  private firstCardSeen = false;
  private current: PassageStatus = { windowOpen: false, active: false, waitingForFirstCard: false };

  constructor(
    private readonly settings: PassageSettings,
    private readonly deps: {
      clock: Clock;
      timeQuality: () => TimeQuality;
      onBattery: () => boolean;
      setPassage: (active: boolean) => void;
    },
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.settings.windows.length === 0) return;
    this.evaluate();
    const loop = () => {
      this.timer = this.deps.clock.setTimeout(() => {
        this.evaluate();
        loop();
      }, TICK_MS);
    };
    loop();
  }

  stop(): void {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  status(): PassageStatus {
    return this.current;
  }

  /** A grant happened; with first-card-unlock it may start the window. */
  onGrant(role: Role): void {
    if (!this.settings.firstCardUnlock || this.firstCardSeen) return;
    if (!this.settings.firstCardRoles.includes(role) || !this.current.windowOpen) return;
    this.firstCardSeen = true;
    this.log.info({ role }, "first card of the window: passage mode starts");
    this.evaluate();
  }

  evaluate(): void {
    const s = this.settings;
    if (s.windows.length === 0) return;
    let suspended: PassageStatus["suspended"];
    if (!s.whenTimeUnknown && this.deps.timeQuality() === "unknown") suspended = "time-unknown";
    else if (s.suspendOnBattery && this.deps.onBattery()) suspended = "on-battery";
    const scheduled = inAnyWindow(s.windows, localTime(this.deps.clock.now(), s.timezone), s.holidays);
    const windowOpen = scheduled && !suspended;
    if (!windowOpen) this.firstCardSeen = false;
    const active = windowOpen && (!s.firstCardUnlock || this.firstCardSeen);
    const next: PassageStatus = {
      windowOpen,
      active,
      waitingForFirstCard: windowOpen && !active,
      ...(scheduled && suspended ? { suspended } : {}),
    };
    const changed = next.active !== this.current.active;
    this.current = next;
    if (changed) {
      this.log.info({ passage: next }, next.active ? "passage mode starts" : "passage mode ends");
      this.deps.setPassage(next.active);
    }
  }
}
