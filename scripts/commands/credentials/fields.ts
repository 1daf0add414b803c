import type { Role } from "../../../controller/access/credential-store.ts";
import { usageError } from "../usage.ts";

export const ROLES: readonly Role[] = ["worker", "technician", "admin"];

export function role(v: string | undefined): Role {
  const r = (v || "worker") as Role;
  if (!ROLES.includes(r)) throw usageError(`role is one of ${ROLES.join(", ")}, not "${v}"`);
  return r;
}

/** A schedule the station file does not define would refuse the card at every hour: refused now. */
export function schedule(v: string | undefined, known: Record<string, unknown>): string | undefined {
  if (v === undefined || v === "") return undefined;
  if (!Object.hasOwn(known, v)) {
    const names = Object.keys(known);
    throw usageError(
      `no schedule "${v}" in access.schedules${names.length ? ` (there: ${names.join(", ")})` : " (the station file defines none)"}`,
    );
  }
  return v;
}

/** The UTC offset of `timeZone` at `utcMs`, in minutes (Asia/Shanghai: +480). */
function offsetMinutes(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return Math.round((asUtc - utcMs) / 60_000);
}

/**
 * A validity time. A date alone (what a spreadsheet writes: 2026-12-31, 2026/12/31) is that day
 * in the station's time zone — the start of the day for `from`, its last millisecond for `until`
 * — never UTC midnight, which in Shanghai would end a card's validity at 08:00.
 */
export function time(
  v: string | undefined,
  what: string,
  edge: "start" | "end",
  timeZone: string,
): number | undefined {
  if (v === undefined || v === "") return undefined;
  const date = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(v.trim());
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const probe = new Date(Date.UTC(y, m - 1, d));
    if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d)
      throw usageError(`${what} is not a date: "${v}"`);
    const local = edge === "start" ? Date.UTC(y, m - 1, d) : Date.UTC(y, m - 1, d + 1) - 1;
    // the offset at that local time (twice: a DST change near midnight moves it)
    const first = local - offsetMinutes(timeZone, local) * 60_000;
    return local - offsetMinutes(timeZone, first) * 60_000;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw usageError(
      `${what} is not a date/time: "${v}" (use 2026-12-31, or ISO 8601 such as 2026-12-31T23:59:59+08:00)`,
    );
  return t;
}

const TRUE = new Set(["1", "true", "yes", "y", "是", "对", "真", "x", "✓"]);
const FALSE = new Set(["", "0", "false", "no", "n", "否", "不", "假"]);

/** The booleans spreadsheets and people write: TRUE/FALSE, 1/0, yes/no, 是/否. */
export function flag(v: string | undefined, what: string): boolean {
  const t = (v ?? "").trim().toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw usageError(`${what} is yes or no (TRUE/FALSE, 1/0, 是/否), not "${v}"`);
}
