import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { Command } from "../../device/ld2410/codec.ts";
import { LD2410_DEFAULTS, Ld2410Radar } from "../../device/ld2410/ld2410-radar.ts";
import type { RadarReading } from "../../device/ports/presence-radar.ts";
import { LinkPair } from "../serial/link-pair.ts";
import { Ld2410Peer, RADAR_PEER_DEFAULTS } from "./radar-peer.ts";

/**
 * The driver against the simulated module over an in-process link, on a manual clock: the
 * behaviours that need minutes (latching) run in milliseconds. The same pair runs over a real
 * pty with the real serialport bindings in test/ld2410-pty.e2e.test.ts.
 */
const flush = () => new Promise<void>((r) => setImmediate(r));

async function run(clock: ManualClock, ms: number, step = 20): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    for (let i = 0; i < 4; i++) await flush();
  }
}

function rig(opts = {}) {
  const clock = new ManualClock();
  const pair = new LinkPair("/dev/ttyRADAR");
  const peer = new Ld2410Peer(pair.device, clock, RADAR_PEER_DEFAULTS);
  const radar = new Ld2410Radar("radar", pair.host, clock, { ...LD2410_DEFAULTS, latchMs: 30_000, ...opts });
  const readings: RadarReading[] = [];
  radar.onReading((r) => readings.push(r));
  return { clock, pair, peer, radar, readings };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function started(opts = {}) {
  const r = rig(opts);
  await r.peer.start();
  const starting = r.radar.start();
  stops.push(
    () => r.radar.stop(),
    () => r.peer.stop(),
  );
  await run(r.clock, 200);
  await starting;
  await run(r.clock, 300);
  return r;
}

describe("LD2410 driver over the simulated module", () => {
  it("configures the module (config mode, firmware, engineering) and reports readings", async () => {
    const { radar, peer, readings, clock } = await started();
    expect(peer.received.slice(0, 4)).toEqual([
      Command.enableConfig,
      Command.readFirmware,
      Command.engineeringOn,
      Command.endConfig,
    ]);
    expect(radar.status()).toMatchObject({ health: "good", firmware: "V1.07.22091615" });
    peer.walkIn(220);
    await run(clock, 300);
    expect(readings.at(-1)).toMatchObject({ target: "moving", movingCm: 220 });
    peer.standStill();
    await run(clock, 300);
    expect(readings.at(-1)).toMatchObject({ target: "still", stillCm: 220 });
  });

  it("garbage on the wire is counted and readings keep coming", async () => {
    const { radar, peer, readings, clock } = await started();
    peer.scene.garbagePerFrame = 5;
    const before = readings.length;
    await run(clock, 1000);
    expect(readings.length - before).toBeGreaterThanOrEqual(8);
    expect(radar.status().garbageBytes).toBeGreaterThan(0);
    expect(radar.status().health).toBe("good");
  });

  it("a silent module goes stale and is restarted, then reports again", async () => {
    const { radar, peer, clock } = await started({ staleMs: 1000 });
    peer.scene.silent = true;
    const health: string[] = [];
    radar.onStatus((s) => health.push(s.health));
    // stale 1000 ms after the last frame (which, paced, lands up to one 20 ms step late), seen by
    // the next 250 ms watch
    await run(clock, 1500);
    expect(radar.status().health).toBe("stale");
    await run(clock, 3000);
    expect(peer.received).toContain(Command.restart);
    expect(radar.status()).toMatchObject({ health: "good", reinits: 1 });
    expect(health).toEqual(["stale", "stale", "good"]);
    // The restart forgot engineering mode: the driver configured it again.
    expect(peer.received.filter((c) => c === Command.engineeringOn)).toHaveLength(2);
  });

  it("latched energies are detected and cleared by a restart", async () => {
    const { radar, peer, clock } = await started();
    peer.walkIn(300);
    peer.standStill();
    await run(clock, 500);
    peer.scene.latched = true;
    await run(clock, 29_000);
    expect(radar.status().health).toBe("good");
    await run(clock, 2_000);
    expect(peer.received).toContain(Command.restart);
    await run(clock, 3_000);
    expect(radar.status()).toMatchObject({ health: "good", reinits: 1 });
    expect(peer.scene.latched).toBe(false);
  });

  it("an unplug is reported as offline; the driver reopens by itself after the replug", async () => {
    const { radar, pair, clock, readings } = await started();
    pair.unplug();
    await run(clock, 100);
    expect(radar.status().health).toBe("offline");
    await run(clock, 3000);
    expect(radar.status().health).toBe("offline");
    expect(radar.status().reopens).toBeGreaterThanOrEqual(2);
    pair.replug();
    const before = readings.length;
    await run(clock, 2000);
    expect(radar.status().health).toBe("good");
    expect(readings.length).toBeGreaterThan(before);
  });

  it("a radar that is missing at start is offline, and the station start does not fail", async () => {
    const r = rig();
    r.pair.unplug();
    await r.peer.start();
    await r.radar.start();
    stops.push(
      () => r.radar.stop(),
      () => r.peer.stop(),
    );
    expect(r.radar.status().health).toBe("offline");
  });
});
