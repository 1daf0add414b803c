/**
 * The POSIX TZ rule at the end of a TZif file (RFC 8536 §3.3), e.g. `CET-1CEST,M3.5.0,M10.5.0/3`:
 * it gives the offsets for every time after the file's last transition (Debian's "slim" zone
 * files carry no transitions past the present, so today's local time comes from here).
 * Offsets are seconds east of UTC.
 */
export interface PosixTz {
  readonly stdOffset: number;
  readonly dst?: {
    readonly offset: number;
    readonly start: RuleDate;
    readonly end: RuleDate;
  };
}

type RuleDate =
  | { kind: "julian1"; day: number; time: number }
  | { kind: "julian0"; day: number; time: number }
  | { kind: "month"; month: number; week: number; weekday: number; time: number };

const DAY_S = 86_400;

/** undefined for a string it cannot read (the caller falls back to the file's transitions). */
export function parsePosixTz(text: string): PosixTz | undefined {
  let i = 0;
  const name = (): boolean => {
    if (text[i] === "<") {
      const close = text.indexOf(">", i);
      if (close < 0) return false;
      i = close + 1;
      return true;
    }
    const start = i;
    while (i < text.length && /[A-Za-z]/.test(text[i] ?? "")) i++;
    return i - start >= 3;
  };
  /** [+-]h[h][:mm[:ss]], hours up to 167 (RFC 8536's extension for rule times) */
  const clock = (): number | undefined => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{2}))?(?::(\d{2}))?/.exec(text.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    const s = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === "-" ? -s : s;
  };
  const date = (): RuleDate | undefined => {
    let d: RuleDate | undefined;
    const rest = text.slice(i);
    const mm = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest);
    const jj = /^J(\d{1,3})/.exec(rest);
    const nn = /^(\d{1,3})/.exec(rest);
    if (mm) {
      d = { kind: "month", month: Number(mm[1]), week: Number(mm[2]), weekday: Number(mm[3]), time: 7200 };
      i += mm[0].length;
    } else if (jj) {
      d = { kind: "julian1", day: Number(jj[1]), time: 7200 };
      i += jj[0].length;
    } else if (nn) {
      d = { kind: "julian0", day: Number(nn[1]), time: 7200 };
      i += nn[0].length;
    } else return undefined;
    if (text[i] === "/") {
      i++;
      const t = clock();
      if (t === undefined) return undefined;
      d.time = t;
    }
    return d;
  };

  if (!name()) return undefined;
  const std = clock();
  if (std === undefined) return undefined;
  // POSIX offsets are west of Greenwich: UTC+8 is written -8.
  const stdOffset = 0 - std;
  if (i >= text.length) return { stdOffset };
  if (!name()) return undefined;
  let dstOffset = stdOffset + 3600;
  if (text[i] !== "," && i < text.length) {
    const d = clock();
    if (d === undefined) return undefined;
    dstOffset = 0 - d;
  }
  // No rule given: POSIX leaves it to the implementation; the US rule is the usual one.
  let start: RuleDate = { kind: "month", month: 3, week: 2, weekday: 0, time: 7200 };
  let end: RuleDate = { kind: "month", month: 11, week: 1, weekday: 0, time: 7200 };
  if (text[i] === ",") {
    i++;
    const s = date();
    if (!s || text[i] !== ",") return undefined;
    i++;
    const e = date();
    if (!e) return undefined;
    start = s;
    end = e;
  }
  if (i !== text.length) return undefined;
  return { stdOffset, dst: { offset: dstOffset, start, end } };
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Seconds from the epoch to 00:00 local of the rule's day in year `y` (local = the rule's own clock). */
function ruleDay(d: RuleDate, y: number): number {
  const jan1 = Date.UTC(y, 0, 1) / 1000;
  switch (d.kind) {
    case "julian1":
      // 1..365, February 29th never counted
      return jan1 + (d.day - 1 + (isLeap(y) && d.day >= 60 ? 1 : 0)) * DAY_S;
    case "julian0":
      return jan1 + d.day * DAY_S;
    case "month": {
      const first = new Date(Date.UTC(y, d.month - 1, 1));
      const days = new Date(Date.UTC(y, d.month, 0)).getUTCDate();
      let dom = 1 + ((d.weekday - first.getUTCDay() + 7) % 7) + (d.week - 1) * 7;
      // week 5 means the last such weekday of the month
      while (dom > days) dom -= 7;
      return Date.UTC(y, d.month - 1, dom) / 1000;
    }
  }
}

/** The offset east of UTC, in seconds, at `t` (seconds since the epoch). */
export function posixOffset(tz: PosixTz, t: number): number {
  const dst = tz.dst;
  if (!dst) return tz.stdOffset;
  const y = new Date((t + tz.stdOffset) * 1000).getUTCFullYear();
  // The start is written in standard time, the end in daylight time.
  const start = ruleDay(dst.start, y) + dst.start.time - tz.stdOffset;
  const end = ruleDay(dst.end, y) + dst.end.time - dst.offset;
  const inDst = start < end ? t >= start && t < end : !(t >= end && t < start);
  return inDst ? dst.offset : tz.stdOffset;
}
