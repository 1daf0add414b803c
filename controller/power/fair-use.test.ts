import { describe, expect, it } from "vitest";
import { DailyEnergy, fairUse, localDay } from "./fair-use.ts";

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
  it("the day turns at the station's local midnight, not at UTC's", () => {
    const d = new DailyEnergy(localDay("Asia/Shanghai"));
    // 23:50 in Shanghai is 15:50 UTC; 00:10 there is 16:10 UTC
    d.add("p", 400, Date.UTC(2026, 11, 1, 15, 50));
    expect(d.get("p", Date.UTC(2026, 11, 1, 15, 59))).toBe(400);
    expect(d.get("p", Date.UTC(2026, 11, 1, 16, 10))).toBe(0);
    // UTC's midnight (08:00 in Shanghai) is the middle of the station's day
    d.add("p", 300, Date.UTC(2026, 11, 1, 23, 50));
    expect(d.get("p", Date.UTC(2026, 11, 2, 0, 10))).toBe(300);
  });
});
