import { afterEach, describe, expect, it } from "vitest";
import type { Clock, TimerHandle } from "../device/ports/clock.ts";
import { entranceHarness, type Harness, harnessConfig, summary, worker } from "./support/entrance-harness.ts";

/**
 * The entrance over the simulated station with a controlled clock: the rules that span several
 * reads and timers (lockout, suppression, anti-passback, alarms, watchdog), end to end inside
 * the controller.
 */
const KNOWN = "04A1B2C3";
const TECH = "04C0FFEE";
const unknown = (i: number) => `0BAD${i.toString(16).padStart(4, "0")}`;

describe("the entrance", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = async (
    yaml = "door: { lockMode: fail-secure }\n",
    extra: Parameters<typeof entranceHarness>[0] = { config: harnessConfig(yaml) },
  ) => {
    h = await entranceHarness({
      credentials: [worker(KNOWN), worker(TECH, { role: "technician", personId: "tech" })],
      ...extra,
      config: extra.config ?? harnessConfig(yaml),
    });
    return h;
  };
  const reader = (x: Harness) => x.sim.readers[0];
  const lock = (x: Harness) => x.entrance.door.snapshot().lock;

  it("locks a reader out after 5 refused reads, alarms, lets a technician through, and recovers", async () => {
    const x = await start(
      "door: { lockMode: fail-secure }\naccess: { lockout: { threshold: 5, cooldownMs: 60000 } }\n",
    );
    for (let i = 0; i < 5; i++) x.sim.control.tap(unknown(i));
    expect(summary(x.events)).toEqual([...Array(5).fill("access.denied:unknown"), "alarm.raised:lockout"]);
    expect(reader(x)?.signals.slice(-2)).toEqual(["deny", "lockout"]);
    expect(x.entrance.snapshot().readers.entry?.lockedOut).toBe(true);
    const from = x.events.length;
    x.sim.control.tap(KNOWN);
    x.sim.control.tap(TECH);
    expect(summary(x.events, from)).toEqual([
      "access.denied:lockout",
      "access.granted:granted",
      "door.unlocked:grant",
    ]);
    x.clock.advance(60_000);
    expect(summary(x.events)).toContain("alarm.cleared:lockout");
    const after = x.events.length;
    x.clock.advance(5000);
    x.sim.control.tap(KNOWN);
    expect(summary(x.events, after)).toContain("access.granted:granted");
    expect(x.entrance.snapshot().alarms.map((a) => a.alarm)).not.toContain("lockout");
  });

  it("ignores the same card re-read within the suppression window, and decides again after it", async () => {
    const x = await start("door: { lockMode: fail-secure }\naccess: { rereadSuppressMs: 3000 }\n");
    x.sim.control.tap(KNOWN);
    x.clock.advance(1000);
    x.sim.control.tap(KNOWN);
    expect(summary(x.events).filter((e) => e.startsWith("access."))).toEqual(["access.granted:granted"]);
    expect(x.entrance.access.stats.suppressed).toBe(1);
    x.clock.advance(3000);
    x.sim.control.tap(KNOWN);
    expect(summary(x.events).filter((e) => e.startsWith("access."))).toHaveLength(2);
  });

  it("a worker tapping every two seconds because the door did not open gets a decision every window", async () => {
    // The window is anchored at the last decision: suppressed taps do not extend it.
    const x = await start("door: { lockMode: fail-secure }\naccess: { rereadSuppressMs: 3000 }\n");
    for (let i = 0; i < 10; i++) {
      x.sim.control.tap(unknown(99));
      x.clock.advance(2000);
    }
    // taps at 0, 2, 4, ..., 18 s: decisions at 0, 4, 8, 12, 16 s (each >= 3 s after the last decision)
    const decided = summary(x.events).filter((e) => e.startsWith("access."));
    expect(decided).toEqual(Array(5).fill("access.denied:unknown"));
    expect(x.entrance.access.stats.suppressed).toBe(5);
    // One card refused again and again is not a guessing attack: no lockout for the next worker.
    expect(summary(x.events)).not.toContain("alarm.raised:lockout");
  });

  it("refuses a card passed back within the anti-passback window", async () => {
    const x = await start(
      "door: { lockMode: fail-secure }\naccess: { rereadSuppressMs: 0, antiPassback: { windowMs: 600000 } }\n",
    );
    x.sim.control.tap(KNOWN);
    x.clock.advance(10_000);
    x.sim.control.tap(KNOWN);
    expect(summary(x.events).filter((e) => e.startsWith("access."))).toEqual([
      "access.granted:granted",
      "access.denied:passback",
    ]);
    x.clock.advance(600_000);
    x.sim.control.tap(KNOWN);
    expect(summary(x.events).at(-2)).toBe("access.granted:granted");
  });

  it("refuses workers when the occupancy figure says the station is full", async () => {
    let inside = 3;
    const x = await start("door: { lockMode: fail-secure }\naccess: { capacity: 3 }\n", {
      config: harnessConfig("door: { lockMode: fail-secure }\naccess: { capacity: 3 }\n"),
      occupancy: { current: () => inside },
    });
    x.sim.control.tap(KNOWN);
    expect(summary(x.events)).toEqual(["access.denied:capacity"]);
    inside = 2;
    x.clock.advance(5000);
    x.sim.control.tap(KNOWN);
    expect(summary(x.events).slice(1, 2)).toEqual(["access.granted:granted"]);
  });

  it("signals grant and deny differently on the reader", async () => {
    const x = await start();
    x.sim.control.tap(KNOWN);
    x.sim.control.tap(unknown(1));
    expect(reader(x)?.signals).toEqual(["grant", "deny"]);
  });

  it("raises forced-open and held-open, and clears them when the door closes", async () => {
    const x = await start("door: { lockMode: fail-secure, heldOpenAlarmMs: 20000 }\n");
    x.sim.control.forceDoor();
    expect(summary(x.events)).toEqual(["door.opened", "alarm.raised:forced-open"]);
    x.clock.advance(3000);
    expect(summary(x.events).slice(2)).toEqual(["door.closed", "alarm.cleared:forced-open"]);
    const from = x.events.length;
    x.sim.control.tap(KNOWN);
    x.sim.control.holdDoor();
    x.clock.advance(20_000);
    expect(summary(x.events, from)).toContain("alarm.raised:held-open");
    expect(x.entrance.snapshot().alarms.map((a) => a.alarm)).toEqual(["held-open"]);
    x.sim.control.releaseDoor();
    x.clock.advance(3000);
    expect(summary(x.events).slice(-3)).toEqual([
      "door.closed",
      "alarm.cleared:held-open",
      "door.locked:closed",
    ]);
  });

  it("a fire alarm releases and holds the door, sounds, and relocks only after the panel and a technician reset", async () => {
    const x = await start("door: { lockMode: fail-safe, fire: { revert: manual-reset } }\n");
    x.sim.control.setFireAlarm(true);
    expect(x.sim.door.physics().lockEngaged).toBe(false);
    expect(x.sim.control.snapshot().sounder).toBe(true);
    expect(summary(x.events)).toEqual(["alarm.raised:fire", "door.unlocked:fire"]);
    x.clock.advance(600_000); // no timer ends a fire release
    expect(x.sim.door.physics().lockEngaged).toBe(false);
    expect(x.entrance.door.resetFire().ok).toBe(false);
    x.sim.control.setFireAlarm(false);
    expect(x.entrance.door.snapshot().fire).toBe("latched");
    expect(x.sim.door.physics().lockEngaged).toBe(false);
    expect(x.entrance.door.resetFire().ok).toBe(true);
    expect(x.sim.door.physics().lockEngaged).toBe(true);
    expect(x.sim.control.snapshot().sounder).toBe(false);
    expect(summary(x.events).slice(-3)).toEqual([
      "door.fire-reset-refused",
      "alarm.cleared:fire",
      "door.locked:fire-reset",
    ]);
  });

  it("tamper, mains loss and the clock losing its source raise and clear alarms", async () => {
    const x = await start();
    x.sim.control.setTamper(true);
    x.sim.control.setOnBattery(true);
    x.sim.control.setTimeQuality("unknown");
    expect(
      x.entrance
        .snapshot()
        .alarms.map((a) => a.alarm)
        .sort(),
    ).toEqual(["on-battery", "tamper", "time-unknown"]);
    expect(x.entrance.snapshot().power.onBattery).toBe(true);
    x.sim.control.setTamper(false);
    x.sim.control.setOnBattery(false);
    x.sim.control.setTimeQuality("synced");
    expect(x.entrance.snapshot().alarms).toEqual([]);
    expect(summary(x.events)).toContain("time.quality-changed");
    expect(summary(x.events)).toContain("power.changed");
  });

  it("an unplugged reader raises reader-offline; the exit button still works", async () => {
    const x = await start();
    reader(x)?.setOnline?.(false);
    expect(x.entrance.snapshot().readers.entry?.status).toBe("offline");
    expect(x.entrance.snapshot().alarms.map((a) => a.alarm)).toEqual(["reader-offline"]);
    x.sim.control.pressExitButton();
    expect(lock(x)).toBe("unlocked");
    reader(x)?.setOnline?.(true);
    expect(x.entrance.snapshot().alarms).toEqual([]);
  });

  it("counts lock relay operations and keeps the count across restarts", async () => {
    const config = harnessConfig("door: { lockMode: fail-secure }\n");
    const x = await start(undefined, { config });
    x.sim.control.tap(KNOWN);
    x.clock.advance(5000);
    expect(x.entrance.door.snapshot().relayCycles).toBe(2);
    await x.stop();
    h = undefined;
    const y = await start(undefined, { config });
    expect(y.entrance.door.snapshot().relayCycles).toBe(2);
  });
});

/** A clock that loses the timers of one duration: a lost event, as a bug or a stall would cause. */
class LossyClock implements Clock {
  constructor(
    private readonly base: Clock,
    private readonly lose: number,
  ) {}
  now = () => this.base.now();
  monotonic = () => this.base.monotonic();
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return ms === this.lose ? { id: -1 } : this.base.setTimeout(fn, ms);
  }
  clearTimeout(h: TimerHandle | undefined) {
    this.base.clearTimeout(h);
  }
}

describe("the unlock is bounded whatever happens", () => {
  it("a lost relock timer is caught by the watchdog", async () => {
    const config = harnessConfig("door: { lockMode: fail-secure, unlockMs: 5000, maxOpenMs: 30000 }\n");
    const h = await entranceHarness({ config, credentials: [worker(KNOWN)] });
    // Rebuild over a clock that drops the 5 s grant timer.
    await h.stop();
    const { ManualClock } = await import("../device/clock/manual-clock.ts");
    const clock = new ManualClock();
    const lossy = new LossyClock(clock, 5000);
    const { createSimulatedStation } = await import("../simulator/station.ts");
    const { Entrance } = await import("../controller/entrance.ts");
    const { EventBus } = await import("../controller/events/event-bus.ts");
    const { MemoryCredentialStore } = await import("../controller/access/credential-store.ts");
    const { hasher } = await import("./support/entrance-harness.ts");
    const pino = (await import("pino")).default;
    const log = pino({ level: "silent" });
    const sim = createSimulatedStation(config, { clock: lossy, hasher, logger: log });
    const bus = new EventBus("t", "b", lossy, () => {});
    const types: string[] = [];
    bus.subscribe((e) => types.push(e.type === "door.locked" ? `door.locked:${e.reason}` : e.type));
    const entrance = new Entrance({
      config,
      hardware: sim.hardware,
      credentials: new MemoryCredentialStore([worker(KNOWN)]),
      bus,
      logger: log,
    });
    sim.start();
    await entrance.start();
    await entrance.startReaders();
    sim.control.tap(KNOWN);
    clock.advance(30_000);
    expect(entrance.door.snapshot().lock).toBe("unlocked"); // the grant timer was lost
    clock.advance(7_000); // past unlockMs + maxOpenMs + relockDelayMs + one watchdog tick
    expect(entrance.door.snapshot().lock).toBe("locked");
    expect(sim.door.physics().lockEngaged).toBe(true);
    expect(types).toContain("door.locked:watchdog");
    await entrance.stop();
  });

  it("an event sink that throws does not stop the door from relocking", async () => {
    const config = harnessConfig("door: { lockMode: fail-secure }\n");
    const h = await entranceHarness({ config, credentials: [worker(KNOWN)] });
    h.bus.subscribe((e) => {
      if (e.type === "door.unlocked") throw new Error("a broken sink");
    });
    h.sim.control.tap(KNOWN);
    expect(h.sinkErrors).toHaveLength(1);
    h.clock.advance(5000);
    expect(h.sim.door.physics().lockEngaged).toBe(true);
    await h.stop();
  });

  it("a relay write that fails is retried by the watchdog", async () => {
    const config = harnessConfig("door: { lockMode: fail-secure }\n");
    const h = await entranceHarness({ config, credentials: [worker(KNOWN)] });
    h.sim.control.tap(KNOWN);
    const relay = h.sim.hardware.lockRelay;
    const write = relay.write.bind(relay);
    let failed = 0;
    relay.write = (v: boolean) => {
      if (failed < 2) {
        failed++;
        throw new Error("I2C expander NAK");
      }
      write(v);
    };
    h.clock.advance(5000); // the relock fails (and perhaps the watchdog's first retry)
    expect(failed).toBeGreaterThan(0);
    h.clock.advance(2000); // the watchdog re-drives the relay until it takes
    expect(failed).toBe(2);
    expect(h.sim.door.physics().lockEngaged).toBe(true);
    await h.stop();
  });
});
