import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryCredentialStore } from "../controller/access/credential-store.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import { stationStateFile } from "../controller/persist/station-state-file.ts";
import { Station } from "../controller/station.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { createSimulatedStation, type SimulatedStation } from "../simulator/station.ts";
import { captureLogger } from "./support/capture-log.ts";
import { harnessConfig, hasher } from "./support/entrance-harness.ts";
import { freePort } from "./support/net.ts";
import { nextUnknownUid } from "./support/uids.ts";

/**
 * What a restart must keep: the whole controller over simulated hardware, stopped and started
 * again on the same data directory. The simulated inputs are set before each start, as the
 * wires would be when the controller comes back.
 */
const T0 = Date.UTC(2026, 11, 1, 3, 0, 0);

async function stationConfig(dataDir: string, lockMode = "fail-secure", fire = "manual-reset") {
  return harnessConfig(
    `door: { lockMode: ${lockMode}, fire: { revert: ${fire} } }
access: { lockout: { threshold: 3, cooldownMs: 60000 } }
mqtt: { url: "mqtt://127.0.0.1:${await freePort()}" }
console: { enabled: false }`,
    dataDir,
  );
}

interface Run {
  station: Station;
  sim: SimulatedStation;
  clock: ManualClock;
  events: StationEvent[];
  stop(): Promise<void>;
}

const alarmsOf = (events: readonly StationEvent[]) =>
  events.flatMap((e) =>
    e.type === "alarm.raised" || e.type === "alarm.cleared"
      ? [`${e.type === "alarm.raised" ? "+" : "-"}${e.alarm}${e.source ? `/${e.source}` : ""}`]
      : [],
  );

describe("what a restart keeps", () => {
  const running: Run[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.stop();
  });

  async function start(
    dataDir: string,
    wall: number,
    inputs: { fire?: boolean; tamper?: boolean; onBattery?: boolean; doorForced?: boolean } = {},
    opts: { lockMode?: string; fire?: string } = {},
  ): Promise<Run> {
    const config = await stationConfig(dataDir, opts.lockMode, opts.fire);
    const clock = new ManualClock(wall);
    const { logger } = captureLogger("warn");
    const sim = createSimulatedStation(config, { clock, hasher, logger });
    if (inputs.fire) sim.control.setFireAlarm(true);
    if (inputs.tamper) sim.control.setTamper(true);
    if (inputs.onBattery) sim.control.setOnBattery(true);
    const station = new Station({
      config,
      hardware: sim.hardware,
      credentials: new MemoryCredentialStore([]),
      logger,
      version: "test",
    });
    const events: StationEvent[] = [];
    station.bus.subscribe((e) => events.push(e));
    sim.start();
    if (inputs.doorForced) sim.control.forceDoor();
    await station.start();
    let stopped = false;
    const run: Run = {
      station,
      sim,
      clock,
      events,
      async stop() {
        if (stopped) return;
        stopped = true;
        await station.stop();
        sim.stop();
      },
    };
    running.push(run);
    return run;
  }

  const door = (r: Run) => r.station.entrance.door.snapshot();

  it("a latched fire release survives a restart: the door is released again at once and waits for the reset", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const first = await start(dir, T0);
    first.sim.control.setFireAlarm(true);
    first.sim.control.setFireAlarm(false);
    expect(door(first)).toMatchObject({ fire: "latched", lock: "unlocked" });
    await first.stop();
    expect(JSON.parse(readFileSync(stationStateFile(dir), "utf8"))).toMatchObject({ fire: "latched" });

    const second = await start(dir, T0 + 60_000);
    expect(door(second)).toMatchObject({ fire: "latched", lock: "unlocked", relayEnergised: true });
    // released again at boot, but the fire alarm is the one raised before the restart
    expect(alarmsOf(second.events)).toEqual([]);
    expect(second.events.map((e) => e.type)).toContain("door.unlocked");
    expect(second.station.state().alarms.map((a) => a.alarm)).toEqual(["fire"]);
    expect(second.station.entrance.door.resetFire().ok).toBe(true);
    expect(door(second)).toMatchObject({ fire: "off", lock: "locked" });
    expect(alarmsOf(second.events)).toEqual(["-fire"]);
    await second.stop();

    const third = await start(dir, T0 + 120_000);
    expect(door(third)).toMatchObject({ fire: "off", lock: "locked" });
    expect(alarmsOf(third.events)).toEqual([]);
  });

  it("with on-input-clear, a fire that ended while the controller was down relocks and clears at start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const first = await start(dir, T0, {}, { fire: "on-input-clear" });
    first.sim.control.setFireAlarm(true);
    await first.stop();
    const second = await start(dir, T0 + 1000, {}, { fire: "on-input-clear" });
    expect(door(second)).toMatchObject({ fire: "off", lock: "locked" });
    expect(alarmsOf(second.events)).toEqual(["-fire"]);
  });

  it("an alarm that ended while the controller was down is cleared; one still active is not raised twice", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const first = await start(dir, T0);
    first.sim.control.setTamper(true);
    first.sim.control.setOnBattery(true);
    expect(alarmsOf(first.events)).toEqual(["+tamper", "+on-battery"]);
    await first.stop();

    // the lid is still open; mains came back while the controller was down
    const second = await start(dir, T0 + 5000, { tamper: true });
    expect(alarmsOf(second.events)).toEqual(["-on-battery"]);
    expect(second.station.state().alarms.map((a) => a.alarm)).toEqual(["tamper"]);
    second.sim.control.setTamper(false);
    expect(alarmsOf(second.events)).toEqual(["-on-battery", "-tamper"]);
    await second.stop();

    // across all three runs every raise has exactly one clear after it
    const third = await start(dir, T0 + 10_000);
    expect(alarmsOf(third.events)).toEqual([]);
    expect(third.station.state().alarms).toEqual([]);
  });

  it("a door forced open keeps its alarm across a restart while it stays open; closing clears it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const first = await start(dir, T0);
    first.sim.control.forceDoor();
    expect(alarmsOf(first.events)).toEqual(["+forced-open"]);
    await first.stop();

    const second = await start(dir, T0 + 5000, { doorForced: true });
    expect(alarmsOf(second.events)).toEqual([]);
    expect(second.station.state().alarms.map((a) => a.alarm)).toEqual(["forced-open"]);
    second.clock.advance(10_000); // the closer shuts it
    expect(alarmsOf(second.events)).toEqual(["-forced-open"]);
    await second.stop();

    // cleared once, nothing left for the next start
    const third = await start(dir, T0 + 20_000);
    expect(alarmsOf(third.events)).toEqual([]);
  });

  it("a door forced open and shut again while the controller was down: the alarm is cleared at start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const first = await start(dir, T0);
    first.sim.control.forceDoor();
    await first.stop();
    const second = await start(dir, T0 + 5000);
    expect(alarmsOf(second.events)).toEqual(["-forced-open"]);
  });

  it("a reader lockout survives a restart and ends when its cool-down would have", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const first = await start(dir, T0);
    for (let i = 0; i < 3; i++) first.sim.control.tap(nextUnknownUid());
    expect(alarmsOf(first.events)).toEqual(["+lockout/entry"]);
    first.clock.advance(20_000);
    await first.stop();

    const second = await start(dir, T0 + 30_000);
    expect(second.station.state().readers.entry?.lockedOut).toBe(true);
    expect(alarmsOf(second.events)).toEqual([]);
    second.clock.advance(29_000);
    expect(second.station.state().readers.entry?.lockedOut).toBe(true);
    second.clock.advance(1_000);
    expect(second.station.state().readers.entry?.lockedOut).toBe(false);
    expect(alarmsOf(second.events)).toEqual(["-lockout/entry"]);
  });

  it("a lockout whose cool-down ran out while the controller was down is cleared at start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const first = await start(dir, T0);
    for (let i = 0; i < 3; i++) first.sim.control.tap(nextUnknownUid());
    await first.stop();
    const second = await start(dir, T0 + 120_000);
    expect(second.station.state().readers.entry?.lockedOut).toBe(false);
    expect(alarmsOf(second.events)).toEqual(["-lockout/entry"]);
  });

  it("a fire input already active at boot releases the door at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-"));
    const r = await start(dir, T0, { fire: true });
    expect(door(r)).toMatchObject({ fire: "active", lock: "unlocked", relayEnergised: true });
    expect(r.sim.control.snapshot().door.lockEngaged).toBe(false);
    expect(alarmsOf(r.events)).toEqual(["+fire"]);
    const unlocked = r.events.find((e) => e.type === "door.unlocked");
    expect(unlocked).toMatchObject({ reason: "fire" });
  });

  it("a maglock released by a shutdown is an event, and a strike locked by one too", async () => {
    const safe = await start(mkdtempSync(join(tmpdir(), "ws-restart-")), T0, {}, { lockMode: "fail-safe" });
    await safe.stop();
    expect(safe.events.at(-1)).toMatchObject({ type: "door.unlocked", reason: "shutdown" });

    const secure = await start(mkdtempSync(join(tmpdir(), "ws-restart-")), T0);
    await secure.stop();
    // a strike that was locked stays locked: nothing changed, nothing to report
    expect(secure.events.filter((e) => e.type.startsWith("door."))).toEqual([]);
  });
});
