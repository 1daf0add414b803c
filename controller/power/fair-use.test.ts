import { describe, expect, it } from "vitest";
import { DailyEnergy, fairUse, stationDay } from "./fair-use.ts";

describe("fair use", () => {
  const rule = { maxConcurrent: 1, maxDailyWh: 500 };
  it.each([
    [0, 0, "ok"],
    [1, 0, "fair-use-concurrent"],
    [0, 499, "ok"],
    [0, 500, "fair-use-energy"],
  ] as const)("%i sessions, %i Wh today → %s", (active, wh, verdict) => {
    expect(fairUse(rule, active, wh)).toBe(verdict);
  });
  it("forgets yesterday", () => {
    const d = new DailyEnergy((ms) => new Date(ms).toISOString().slice(0, 10));
    const t = Date.UTC(2026, 0, 1, 23, 0);
    d.add("p", 400, t);
    d.add("p", 50, t + 1000);
    expect(d.get("p", t + 2000)).toBe(450);
    expect(d.get("p", t + 2 * 3600_000)).toBe(0);
  });

  describe("the outlets' energy day is the station's local day", () => {
    const utc = (iso: string) => Date.parse(iso);
    it("Asia/Shanghai (UTC+8): resets at 16:00 UTC, local midnight, and not at 00:00 UTC", () => {
      const d = new DailyEnergy(stationDay("Asia/Shanghai"));
      d.add("p", 400, utc("2026-03-10T15:59:00Z")); // 23:59 local
      expect(d.get("p", utc("2026-03-10T15:59:59Z"))).toBe(400);
      expect(d.get("p", utc("2026-03-10T16:00:01Z"))).toBe(0); // 00:00:01 local, the next day
      d.add("p", 300, utc("2026-03-10T23:30:00Z")); // 07:30 local on the 11th
      expect(d.get("p", utc("2026-03-11T00:30:00Z"))).toBe(300); // UTC's new day, the same local day
    });
    it("America/Chicago on the day DST ends: midnight moves from 05:00 to 06:00 UTC", () => {
      const d = new DailyEnergy(stationDay("America/Chicago"));
      d.add("p", 400, utc("2026-11-01T04:59:00Z")); // 23:59 CDT on 31 October
      expect(d.get("p", utc("2026-11-01T05:00:01Z"))).toBe(0); // 00:00:01 CDT, 1 November
      d.add("p", 500, utc("2026-11-02T05:30:00Z")); // 23:30 CST, still 1 November
      expect(d.get("p", utc("2026-11-02T05:59:00Z"))).toBe(500);
      expect(d.get("p", utc("2026-11-02T06:00:01Z"))).toBe(0); // 00:00:01 CST, 2 November
    });
  });
});
