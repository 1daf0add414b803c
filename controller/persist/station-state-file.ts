import { join } from "node:path";
import { z } from "zod";
import { StationError } from "../../config/errors.ts";
import { AlarmSchema } from "../contract/alarm-events.ts";
import { readFileIfExists, writeFileDurably } from "./durable-file.ts";

/**
 * What a restart must keep, in `<dataDir>/station-state.json`: a latched fire release, the
 * active alarms, the readers' lockouts, and quarantines (a subsystem that takes a part out of
 * service until a technician looks at it records it here). Written whole, durably (tmp + fsync +
 * rename + directory fsync) on every change, read once at start.
 *
 * This module is the file and nothing else, so a power-cut test can drive it directly:
 * `save()` returns only once the new state would survive a power cut; `load()` after any cut
 * returns either the state before the last save or after it.
 */
export const STATION_STATE_FILE = "station-state.json";

export const stationStateFile = (dataDir: string) => join(dataDir, STATION_STATE_FILE);

const ActiveAlarmSchema = z.object({
  alarm: AlarmSchema,
  source: z.string().optional(),
  since: z.string(),
  detail: z.string().optional(),
});

const LockoutSchema = z.object({
  /** wall-clock ms the lockout ends (monotonic time does not survive a restart) */
  untilMs: z.number(),
});

const QuarantineSchema = z.object({
  subsystem: z.string().min(1),
  reason: z.string(),
  since: z.string(),
  /** what the fault was, in words (e.g. `7.20 A > 5 A`) */
  detail: z.string().optional(),
  /** what was taken out of service when it is not the key's part itself (a battery's id) */
  item: z.string().optional(),
});

export type PersistedAlarm = z.output<typeof ActiveAlarmSchema>;
export type PersistedQuarantine = z.output<typeof QuarantineSchema>;

export interface PersistedStationState {
  /** `latched`/`active`: the door was held released by a fire alarm not yet reset */
  readonly fire: "off" | "active" | "latched";
  readonly alarms: readonly PersistedAlarm[];
  /** reader id -> lockout */
  readonly lockouts: Readonly<Record<string, z.output<typeof LockoutSchema>>>;
  /** key (e.g. `outlet/3`) -> quarantine */
  readonly quarantines: Readonly<Record<string, PersistedQuarantine>>;
}

export const EMPTY_STATION_STATE: PersistedStationState = {
  fire: "off",
  alarms: [],
  lockouts: {},
  quarantines: {},
};

const FileSchema = z.object({
  version: z.literal(1),
  savedAt: z.string(),
  fire: z.enum(["off", "active", "latched"]),
  alarms: z.array(z.unknown()),
  lockouts: z.record(z.string(), z.unknown()),
  quarantines: z.record(z.string(), z.unknown()),
});

export interface LoadResult {
  readonly state: PersistedStationState;
  /** entries or a whole file that could not be read back: each is a typed error for the log */
  readonly problems: readonly StationError[];
}

export class StationStateFile {
  constructor(readonly file: string) {}

  /** Never throws: an unreadable or invalid file (or entry) is a problem, and the rest is kept. */
  load(): LoadResult {
    let text: string | undefined;
    try {
      text = readFileIfExists(this.file);
    } catch (cause) {
      return { state: EMPTY_STATION_STATE, problems: [this.error("STATE_FILE_IO", "cannot be read", cause)] };
    }
    if (text === undefined) return { state: EMPTY_STATION_STATE, problems: [] };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (cause) {
      return {
        state: EMPTY_STATION_STATE,
        problems: [this.error("STATE_FILE_INVALID", "is not JSON", cause)],
      };
    }
    const top = FileSchema.safeParse(raw);
    if (!top.success) {
      return {
        state: EMPTY_STATION_STATE,
        problems: [this.error("STATE_FILE_INVALID", "has an unknown layout", top.error)],
      };
    }
    const problems: StationError[] = [];
    // Entry by entry: an alarm a newer version knew and this one does not must not cost the
    // latched fire release or the lockouts.
    const keep = <T>(schema: z.ZodType<T>, value: unknown, where: string): T | undefined => {
      const r = schema.safeParse(value);
      if (r.success) return r.data;
      problems.push(this.error("STATE_FILE_INVALID", `has an invalid entry at ${where}`, r.error));
      return undefined;
    };
    const alarms = top.data.alarms.flatMap((a, i) => keep(ActiveAlarmSchema, a, `alarms[${i}]`) ?? []);
    const entries = <T>(rec: Record<string, unknown>, schema: z.ZodType<T>, name: string) =>
      Object.fromEntries(
        Object.entries(rec).flatMap(([k, v]) => {
          const e = keep(schema, v, `${name}.${k}`);
          return e === undefined ? [] : [[k, e]];
        }),
      ) as Record<string, T>;
    return {
      state: {
        fire: top.data.fire,
        alarms,
        lockouts: entries(top.data.lockouts, LockoutSchema, "lockouts"),
        quarantines: entries(top.data.quarantines, QuarantineSchema, "quarantines"),
      },
      problems,
    };
  }

  /** Durable when it returns; throws STATE_FILE_IO when the disk refuses. */
  save(state: PersistedStationState, savedAt: Date): void {
    const body = { version: 1, savedAt: savedAt.toISOString(), ...state };
    try {
      writeFileDurably(this.file, `${JSON.stringify(body, null, 1)}\n`);
    } catch (cause) {
      throw this.error("STATE_FILE_IO", "cannot be written", cause);
    }
  }

  private error(code: "STATE_FILE_IO" | "STATE_FILE_INVALID", what: string, cause: unknown): StationError {
    return new StationError(code, "door", `the station state file ${this.file} ${what}`, {
      cause,
      hint:
        code === "STATE_FILE_IO"
          ? "check that the data directory is writable and the disk is not full"
          : "the station starts without what it held (latched fire, alarms, lockouts); check the console",
    });
  }
}
