import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { parsePosixTz, posixOffset } from "./posix-tz.ts";
import { isKnownTimeZone, loadZone, parseTzif, zoneFile } from "./time-zone.ts";

/** ICU's answer, the oracle: seconds east of UTC at `ms` in `zone`. */
function icuOffset(zone: string, ms: number): number {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const p: Record<string, number> = {};
  for (const { type, value } of f.formatToParts(ms)) p[type] = Number(value);
  const local = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 1000);
}

// Northern and southern DST, half and quarter hours, negative DST (Dublin), no DST, rule changes.
const ZONES = [
  "Asia/Shanghai",
  "Europe/Berlin",
  "Europe/London",
  "Europe/Dublin",
  "America/New_York",
  "America/Sao_Paulo",
  "America/Santiago",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Asia/Tehran",
  "Africa/Cairo",
  "UTC",
];

describe("time zones from the system's zone files", () => {
  it.each(ZONES)("%s agrees with ICU at random instants 1990–2090", (zone) => {
    const z = loadZone(zone);
    expect(z, `${zone} has a zone file`).toBeDefined();
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }), (ms) => {
        expect(z?.offsetAt(ms)).toBe(icuOffset(zone, ms));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    // the seconds either side of Berlin's spring and autumn changes, in the file's table (2030)
    // and past it (2040: even "fat" files list transitions only to 2037; the footer rule answers)
    { zone: "Europe/Berlin", iso: "2030-03-31T00:59:59Z", offset: 3600 },
    { zone: "Europe/Berlin", iso: "2030-03-31T01:00:00Z", offset: 7200 },
    { zone: "Europe/Berlin", iso: "2030-10-27T00:59:59Z", offset: 7200 },
    { zone: "Europe/Berlin", iso: "2030-10-27T01:00:00Z", offset: 3600 },
    { zone: "Europe/Berlin", iso: "2040-03-25T00:59:59Z", offset: 3600 },
    { zone: "Europe/Berlin", iso: "2040-03-25T01:00:00Z", offset: 7200 },
    { zone: "Europe/Berlin", iso: "2040-10-28T00:59:59Z", offset: 7200 },
    { zone: "Europe/Berlin", iso: "2040-10-28T01:00:00Z", offset: 3600 },
    { zone: "America/New_York", iso: "2040-11-04T05:59:59Z", offset: -4 * 3600 },
    { zone: "America/New_York", iso: "2040-11-04T06:00:00Z", offset: -5 * 3600 },
    // southern hemisphere: DST spans the new year
    { zone: "Australia/Sydney", iso: "2041-01-01T00:00:00Z", offset: 39600 },
    { zone: "Australia/Sydney", iso: "2041-07-01T00:00:00Z", offset: 36000 },
  ])("$zone at $iso is UTC$offset s", ({ zone, iso, offset }) => {
    expect(loadZone(zone)?.offsetAt(Date.parse(iso))).toBe(offset);
  });

  it.each([
    { tz: "CST-8", at: "2030-06-01T00:00:00Z", offset: 8 * 3600 },
    { tz: "<+0330>-3:30", at: "2030-06-01T00:00:00Z", offset: 12600 },
    { tz: "EST5EDT,M3.2.0,M11.1.0", at: "2030-07-01T00:00:00Z", offset: -4 * 3600 },
    { tz: "EST5EDT,M3.2.0,M11.1.0", at: "2030-12-01T00:00:00Z", offset: -5 * 3600 },
    { tz: "EST5EDT", at: "2030-07-01T00:00:00Z", offset: -4 * 3600 },
    // Julian days: J60 is March 1st in every year, 59 (zero-based) is February 29th in leap years
    { tz: "XXX0YYY,J60/0,J300/0", at: "2032-03-01T00:00:00Z", offset: 3600 },
    { tz: "XXX0YYY,J60/0,J300/0", at: "2032-02-29T23:59:59Z", offset: 0 },
    { tz: "XXX0YYY,59/0,300/0", at: "2032-02-28T23:59:59Z", offset: 0 },
    { tz: "XXX0YYY,59/0,300/0", at: "2032-02-29T00:00:00Z", offset: 3600 },
    { tz: "XXX0YYY,59/0,300/0", at: "2031-02-28T23:59:59Z", offset: 0 },
    { tz: "XXX0YYY,59/0,300/0", at: "2031-03-01T00:00:00Z", offset: 3600 },
    // RFC 8536's extension: a rule time past 24 h and a negative one
    { tz: "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", at: "2030-07-01T00:00:00Z", offset: -2 * 3600 },
  ])("POSIX rule $tz at $at", ({ tz, at, offset }) => {
    const rule = parsePosixTz(tz);
    expect(rule).toBeDefined();
    expect(posixOffset(rule ?? { stdOffset: Number.NaN }, Date.parse(at) / 1000)).toBe(offset);
  });

  it.each(["", "AB", "CST", "CST-8X", "EST5EDT,M3", "EST5EDT,M3.2.0"])("refuses the rule %j", (tz) => {
    expect(parsePosixTz(tz)).toBeUndefined();
  });

  describe("names", () => {
    const saved = process.env.TZDIR;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZDIR;
      else process.env.TZDIR = saved;
    });

    it.each(["Asia/Shanghai", "UTC", "America/Argentina/Buenos_Aires"])("knows %s", (name) => {
      expect(isKnownTimeZone(name)).toBe(true);
    });

    it.each(["Asia/Shangai", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Asia/", ""])(
      "does not know %j",
      (name) => {
        expect(isKnownTimeZone(name)).toBe(false);
      },
    );

    it("a file that is not TZif is no zone, and a garbled one is not read", () => {
      const dir = mkdtempSync(join(tmpdir(), "ws-tz-"));
      writeFileSync(join(dir, "Not_A_Zone"), "hello");
      writeFileSync(join(dir, "Cut_Short"), Buffer.from("TZif2\0\0\0"));
      process.env.TZDIR = dir;
      expect(zoneFile("Not_A_Zone")).toBeUndefined();
      expect(zoneFile("Cut_Short")).toBeDefined();
      expect(parseTzif(Buffer.from("TZif2\0\0\0"))).toBeUndefined();
    });
  });
});
