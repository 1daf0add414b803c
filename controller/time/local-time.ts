import { loadZone } from "../../config/time-zone.ts";

/**
 * Wall-clock time as the station's people read it: weekday, minutes since midnight and date in
 * the configured IANA zone. Schedules, holidays and passage windows are written in local time.
 */
export type Day = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export type DayOrHoliday = Day | "hol";

export interface LocalTime {
  readonly day: Day;
  /** the day before, for windows that run past midnight */
  readonly previousDay: Day;
  readonly minutes: number;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly previousDate: string;
}

export interface TimeWindow {
  readonly days: readonly DayOrHoliday[];
  readonly from: string;
  readonly to: string;
}

const DAYS: readonly Day[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(epochMs: number, timeZone: string) {
  // The zone's file when there is one: no ICU in the process (config/time-zone.ts says why).
  const zone = loadZone(timeZone);
  if (zone) {
    const local = new Date(epochMs + zone.offsetAt(epochMs) * 1000);
    const date = local.toISOString().slice(0, 10);
    return {
      date,
      day: DAYS[local.getUTCDay()] ?? "sun",
      minutes: local.getUTCHours() * 60 + local.getUTCMinutes(),
    };
  }
  const p: Record<string, string> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(epochMs)) p[type] = value;
  const date = `${p.year}-${p.month}-${p.day}`;
  const day = DAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? "sun";
  return { date, day, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

export function localTime(epochMs: number, timeZone: string): LocalTime {
  const now = parts(epochMs, timeZone);
  const before = parts(epochMs - now.minutes * 60_000 - 60_000, timeZone);
  return { ...now, previousDay: before.day, previousDate: before.date };
}

const toMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
};

/**
 * Whether `t` falls in a window. On a holiday only windows listing `hol` apply; a window whose
 * `to` is before its `from` runs past midnight into the next day.
 */
export function inWindow(w: TimeWindow, t: LocalTime, holidays: ReadonlySet<string>): boolean {
  const from = toMinutes(w.from);
  const to = toMinutes(w.to);
  const applies = (day: Day, date: string) => w.days.includes(holidays.has(date) ? "hol" : day);
  if (from <= to) return applies(t.day, t.date) && t.minutes >= from && t.minutes < to;
  return (
    (applies(t.day, t.date) && t.minutes >= from) ||
    (applies(t.previousDay, t.previousDate) && t.minutes < to)
  );
}

export function inAnyWindow(ws: readonly TimeWindow[], t: LocalTime, holidays: ReadonlySet<string>): boolean {
  return ws.some((w) => inWindow(w, t, holidays));
}
