import type { StationConfig } from "../../config/schema.ts";
import { stationTimeZone } from "../../config/station-time-zone.ts";
import { inAnyWindow, localTime, type TimeWindow } from "../time/local-time.ts";
import { localDay } from "./fair-use.ts";
import type { OutletInput } from "./outlet-machine.ts";

type CalendarConfig = Pick<StationConfig, "station" | "outlets" | "access" | "door" | "occupancy">;

/**
 * The outlets' local calendar: the opening hours and the day the fair-use energy is counted per,
 * both in the station's one zone (before it, the day followed another setting than the hours).
 */
export function outletCalendar(c: CalendarConfig): {
  schedule: OutletSchedule;
  dayOf: (epochMs: number) => string;
} {
  return { schedule: OutletSchedule.fromConfig(c), dayOf: localDay(stationTimeZone(c)) };
}

/**
 * The outlets' opening hours (`outlets.schedule`), the feed of the machine's `schedule` input.
 * Written as the access schedules are (a named `access.schedules` entry or windows of the same
 * form), in the station's zone (`station.timezone`, like the fair-use day) with `access.holidays`, and read on the injected wall clock. The
 * machine refuses a start outside the hours (`outside-schedule`) and ends a running session
 * when they close (reason `schedule`): a charger is not left running, unwatched, after hours.
 */
export class OutletSchedule {
  private last: boolean | undefined;

  constructor(
    private readonly windows: readonly TimeWindow[] | undefined,
    private readonly timeZone: string,
    private readonly holidays: ReadonlySet<string>,
  ) {}

  static fromConfig(c: CalendarConfig): OutletSchedule {
    const s = c.outlets?.schedule;
    const windows = typeof s === "string" ? c.access.schedules[s] : s;
    return new OutletSchedule(windows, stationTimeZone(c), new Set(c.access.holidays));
  }

  /** whether the outlets are open at `epochMs` (no schedule: always) */
  allows(epochMs: number): boolean {
    if (!this.windows) return true;
    return inAnyWindow(this.windows, localTime(epochMs, this.timeZone), this.holidays);
  }

  /**
   * The machine's input when the hours opened or closed since the last call (the first call
   * always gives one when a schedule is configured), else undefined.
   */
  next(epochMs: number, atMs: number): Extract<OutletInput, { type: "schedule" }> | undefined {
    if (!this.windows) return undefined;
    const allowed = this.allows(epochMs);
    if (allowed === this.last) return undefined;
    this.last = allowed;
    return { type: "schedule", allowed, atMs };
  }
}
