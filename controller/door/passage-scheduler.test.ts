import pino from "pino";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import type { TimeQuality } from "../contract/time-quality.ts";
import { PassageScheduler, type PassageSettings } from "./passage-scheduler.ts";

const BEFORE = Date.parse("2026-03-02T23:59:00Z"); // 07:59 Tuesday in Shanghai
const SETTINGS: PassageSettings = {
  windows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "08:00", to: "22:00" }],
  firstCardUnlock: false,
  firstCardRoles: ["technician", "admin"],
  timezone: "Asia/Shanghai",
  holidays: new Set(),
  whenTimeUnknown: false,
  suspendOnBattery: false,
};

function setup(settings: Partial<PassageSettings> = {}) {
  const clock = new ManualClock(BEFORE);
  let quality: TimeQuality = "synced";
  let battery = false;
  const calls: boolean[] = [];
  const p = new PassageScheduler(
    { ...SETTINGS, ...settings },
    {
      clock,
      timeQuality: () => quality,
      onBattery: () => battery,
      setPassage: (a) => calls.push(a),
    },
    pino({ level: "silent" }),
  );
  p.start();
  return {
    clock,
    p,
    calls,
    setQuality: (q: TimeQuality) => {
      quality = q;
    },
    setBattery: (b: boolean) => {
      battery = b;
    },
  };
}

describe("passage scheduler", () => {
  it("opens at the window's start and closes at its end", () => {
    const s = setup();
    expect(s.calls).toEqual([]);
    s.clock.advance(60_000);
    expect(s.calls).toEqual([true]);
    s.clock.advance(14 * 3_600_000);
    expect(s.calls).toEqual([true, false]);
  });

  it("with first-card-unlock waits for a listed role's grant, and rearms for the next window", () => {
    const s = setup({ firstCardUnlock: true });
    s.clock.advance(120_000);
    expect(s.p.status()).toMatchObject({ windowOpen: true, active: false, waitingForFirstCard: true });
    s.p.onGrant("worker");
    expect(s.calls).toEqual([]);
    s.p.onGrant("technician");
    expect(s.calls).toEqual([true]);
    s.clock.advance(14 * 3_600_000);
    expect(s.calls).toEqual([true, false]);
    s.clock.advance(10 * 3_600_000); // the next morning
    expect(s.p.status().waitingForFirstCard).toBe(true);
    expect(s.calls).toEqual([true, false]);
  });

  it("is suspended while the time is unknown, unless the policy allows it", () => {
    const s = setup();
    s.setQuality("unknown");
    s.clock.advance(120_000);
    expect(s.calls).toEqual([]);
    expect(s.p.status().suspended).toBe("time-unknown");
    s.setQuality("rtc");
    s.clock.advance(1000);
    expect(s.calls).toEqual([true]);
    const t = setup({ whenTimeUnknown: true });
    t.setQuality("unknown");
    t.clock.advance(120_000);
    expect(t.calls).toEqual([true]);
  });

  it("follows a wall-clock step into and out of the window", () => {
    const s = setup();
    s.clock.setWallTime(Date.parse("2026-03-03T06:00:00Z")); // 14:00
    s.clock.advance(1000);
    expect(s.calls).toEqual([true]);
    s.clock.setWallTime(Date.parse("2026-03-03T15:00:00Z")); // 23:00
    s.clock.advance(1000);
    expect(s.calls).toEqual([true, false]);
  });

  it("does nothing without windows", () => {
    const s = setup({ windows: [] });
    s.clock.advance(24 * 3_600_000);
    expect(s.calls).toEqual([]);
    expect(s.clock.pendingTimers()).toBe(0);
  });
});
