import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { bootPowerStation, letIn, runCommand } from "./support/power-station.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The smoke detector on the I/O board, end to end: johnny-five and firmata-io over the real
 * serialport bindings, through a socat pty, to the simulated StandardFirmata board whose input
 * pin the detector's contact drives. Smoke there cuts every outlet and the cabinet, releases the
 * door, sounds the sounder and raises the critical event within one poll cycle; the latch
 * survives a restart; a board that stops answering holds the power off without releasing the door —
 * also a board with nothing but the digital smoke pin on it, which reports nothing while nothing
 * changes: the liveness probe (a firmware query every probeMs) notices it.
 */
const socat = daemon("socat", "socat");

const SMOKE_PIN = 8;
const TEMPERATURE = "analog: { temperature: 0 }";
const withBoard =
  (grace: number, detector = `board: { pin: ${SMOKE_PIN} }`, board = TEMPERATURE) =>
  (yaml: string) =>
    yaml
      .replace(
        "exitButton: { pin: 22, debounceMs: 0 } }",
        "exitButton: { pin: 22, debounceMs: 0 }, alarmSounder: { pin: 24 } }",
      )
      .replace(
        "safety: {}",
        `safety: { smokeDetector: { ${detector}, debounceMs: 20, offlineGraceMs: ${grace} } }
occupancy:
  board: { port: simulated, readyTimeoutMs: 5000, ${board} }`,
      );

let booted: BootedStation | undefined;
afterEach(async () => {
  await booted?.stop();
  booted = undefined;
});

const relays = (b: BootedStation) => [...(b.powerSim?.relays.values() ?? [])].map((r) => r.read());
const sounder = (b: BootedStation) =>
  (b.sim?.control.snapshot() as { sounder?: boolean } | undefined)?.sounder;

async function boardWatched(s: { booted: BootedStation }) {
  // the board ready and its first report of the pin in: the detector is watched
  await waitFor(() => s.booted.station.state().safety?.smokeDetector?.online, "the detector watched", 20_000);
  expect(s.booted.station.state().safety?.watchLost).toBe(false);
}

/** A station with the detector on the board, watched, ebike-1 charging, the door relocked. */
async function chargingOnBoard(edit: (yaml: string) => string) {
  const s = await bootPowerStation(undefined, "", undefined, edit);
  booted = s.booted;
  const b = s.booted;
  await boardWatched(s);
  letIn(b);
  expect(await runCommand(b, "outlet", { outlet: "ebike-1", action: "start" })).toEqual({ status: "ok" });
  await waitFor(() => b.station.state().door.lock === "locked", "the door relocked after the tap", 10_000);
  const peer = b.occupancySim?.board;
  if (!peer) throw new Error("no simulated board");
  return { s, b, peer };
}

describe("smoke at the I/O board's detector", { timeout: 90_000 }, () => {
  if (!realStackAvailable(socat)) return;

  it("cuts outlets and cabinet, releases the door, sounds, raises the event in one poll cycle; latched across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ws-board-smoke-"));
    const s = await bootPowerStation(dataDir, "", undefined, withBoard(15_000));
    booted = s.booted;
    const b = s.booted;
    await boardWatched(s);
    letIn(b);
    for (const id of ["phone-1", "ebike-1"])
      expect(await runCommand(b, "outlet", { outlet: id, action: "start" })).toEqual({ status: "ok" });
    await waitFor(() => b.station.state().cabinet?.slots.length === 6, "the cabinet's first read", 15_000);
    const sched = b.station.ports.modbus?.scheduler("rs485");
    await waitFor(() => (sched?.lastCycle?.n ?? 0) >= 2, "two poll cycles", 15_000);
    await waitFor(() => b.station.state().door.lock === "locked", "the door relocked after the tap", 10_000);
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(true);
    let cutAt: { ms: number; relays: boolean[]; door: string; cabinet: boolean } | undefined;
    b.station.bus.subscribe((e) => {
      if (e.type === "safety.alarm" && !cutAt)
        cutAt = {
          ms: performance.now(),
          relays: relays(b),
          door: b.station.state().door.lock,
          cabinet: b.powerSim?.cabinetPowerRelay.read() ?? true,
        };
    });
    const cycleMs = sched?.lastCycle?.durationMs ?? 0;
    const t0 = performance.now();
    // the sim's `smoke` drives the simulated board's input pin: the report travels through Firmata
    b.powerSim?.control.smoke(true);
    expect(b.occupancySim?.board?.inputs.get(SMOKE_PIN)).toBe(true);
    const cut = await waitFor(() => cutAt, "the safety alarm", 15_000);
    expect(cut.relays).toEqual([false, false, false, false]);
    expect(cut.cabinet).toBe(false);
    expect(cut.door).toBe("unlocked");
    expect(sounder(b)).toBe(true);
    const latencyMs = cut.ms - t0;
    // within one poll cycle (the 20 ms debounce is part of it)
    expect(latencyMs).toBeLessThanOrEqual(cycleMs);
    console.log(`board smoke → cut: ${latencyMs.toFixed(0)} ms; poll cycle ${cycleMs.toFixed(0)} ms`);
    expect(s.events.find((e) => e.type === "safety.alarm")).toMatchObject({
      priority: "critical",
      cause: "smoke",
      detail: "smoke detector on the I/O board",
    });
    expect(s.events.find((e) => e.type === "alarm.raised" && e.alarm === "safety")).toMatchObject({
      source: "smoke",
    });
    // both sessions ended by the cut (a meter lost under a loaded machine's bus timeouts ends one first)
    const reasons = s.events
      .filter((e) => e.type === "outlet.session-ended")
      .map((e) => (e as { reason?: string }).reason);
    expect(reasons).toHaveLength(2);
    for (const r of reasons) expect(["station-safety", "meter-lost"]).toContain(r);
    // the smoke clears: egress and sounder end, the power stays cut (latched)
    // through the simulator's command (what `waystation sim smoke off` sends over the control socket)
    expect(await runCommand(b, "sim.smoke", { active: "off" })).toEqual({
      status: "ok",
      data: { smoke: false },
    });
    expect(b.occupancySim?.board?.inputs.get(SMOKE_PIN)).toBe(false);
    await waitFor(() => b.station.state().safety?.active.length === 0, "the signal cleared", 10_000);
    await waitFor(() => sounder(b) === false, "the sounder off", 10_000);
    expect(b.station.state().safety?.latched).toBe(true);
    expect(await runCommand(b, "outlet", { outlet: "phone-2", action: "start" })).toMatchObject({
      status: "error",
    });

    // A restart (the latch on file): power still cut, the alarm still active, until the reset.
    await b.stop();
    booted = undefined;
    const again = await bootPowerStation(dataDir, "", undefined, withBoard(15_000));
    booted = again.booted;
    const b2 = again.booted;
    expect(b2.station.state().safety?.latched).toBe(true);
    expect(b2.station.state().alarms).toContainEqual(
      expect.objectContaining({ alarm: "safety", source: "smoke" }),
    );
    await boardWatched(again);
    letIn(b2);
    expect(await runCommand(b2, "outlet", { outlet: "phone-2", action: "start" })).toMatchObject({
      status: "error",
    });
    expect(again.events.find((e) => e.type === "outlet.refused")).toMatchObject({ reason: "station-safety" });
    expect(b2.powerSim?.cabinetPowerRelay.read()).toBe(false);
    // the restored alarm was not cleared by the start's settle
    expect(again.events.some((e) => e.type === "alarm.cleared" && e.alarm === "safety")).toBe(false);
    expect(await runCommand(b2, "safety-reset", {})).toMatchObject({
      status: "ok",
      data: { restored: true },
    });
    expect(again.events.find((e) => e.type === "alarm.cleared" && e.alarm === "safety")).toMatchObject({
      source: "smoke",
    });
    expect(b2.station.state().alarms.some((a) => a.alarm === "safety")).toBe(false);
    expect(await runCommand(b2, "outlet", { outlet: "phone-2", action: "start" })).toEqual({ status: "ok" });
  });

  it("a board that stops answering holds outlets and cabinet off (no door release), and gives them back", async () => {
    const { s, b, peer } = await chargingOnBoard(withBoard(1000));
    peer.hang(true);
    await waitFor(() => b.station.state().safety?.watchLost, "the detector unseen", 30_000);
    expect(relays(b)).toEqual([false, false, false, false]);
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(false);
    expect(b.station.state().door.lock).toBe("locked");
    expect(b.station.state().safety?.latched).toBe(false);
    const events: StationEvent[] = s.events;
    expect(events.find((e) => e.type === "safety.watch-lost")).toMatchObject({ priority: "high" });
    const fault = (type: "alarm.raised" | "alarm.cleared") =>
      events.find(
        (e) =>
          (e.type === "alarm.raised" || e.type === "alarm.cleared") &&
          e.type === type &&
          e.alarm === "sensor-fault" &&
          e.source === "smoke-detector",
      );
    expect(fault("alarm.raised")).toMatchObject({ detail: expect.stringContaining("I/O board") });
    expect(await runCommand(b, "outlet", { outlet: "ebike-1", action: "start" })).toMatchObject({
      status: "error",
    });
    // the technician's doctor says why
    const check = b.station.subsystems.flatMap((x) => x.doctorChecks ?? []).find((c) => c.id === "safety");
    expect(await check?.run()).toMatchObject({ ok: false, detail: expect.stringContaining("not read") });
    peer.hang(false);
    await waitFor(() => b.station.state().safety?.watchLost === false, "the detector seen again", 30_000);
    expect(fault("alarm.cleared")).toBeDefined();
    expect(await check?.run()).toMatchObject({ ok: true });
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(true);
    expect(await runCommand(b, "outlet", { outlet: "ebike-1", action: "start" })).toEqual({ status: "ok" });
  });

  it("a board with only the digital smoke pin that hangs: the probe notices, the power is cut within the grace, and given back", async () => {
    const PROBE_MS = 500;
    const GRACE_MS = 1000;
    const { s, b, peer } = await chargingOnBoard(withBoard(GRACE_MS, undefined, `probeMs: ${PROBE_MS}`));
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(true);
    let cutMs: number | undefined;
    const statuses: string[] = [];
    b.station.bus.subscribe((e) => {
      if (e.type === "safety.watch-lost" && cutMs === undefined) cutMs = performance.now();
      if (e.type === "occupancy.sensor-health" && e.sensor === "board") statuses.push(e.health);
    });
    // a board that answers is probed and stays watched: no false "hung" across 6 probes
    const asked = peer.firmwareQueries;
    await waitFor(() => peer.firmwareQueries >= asked + 6, "six probes answered", 10_000);
    expect(statuses).toEqual([]);
    expect(b.station.state().safety?.watchLost).toBe(false);
    const t0 = performance.now();
    // the port stays open; the board answers nothing (what `waystation sim hang-board on` sends)
    expect(await runCommand(b, "sim.hang-board", { active: "on" })).toEqual({
      status: "ok",
      data: { boardHung: true },
    });
    const at = await waitFor(() => cutMs, "the detector unseen", 20_000);
    expect(relays(b)).toEqual([false, false, false, false]);
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(false);
    expect(b.station.state().door.lock).toBe("locked");
    expect(b.station.state().safety?.latched).toBe(false);
    // hung at the 4th tick after its last answer (3-4 periods after the hang), then the grace; 1 s for the load
    const bound = GRACE_MS + 4 * PROBE_MS + 1000;
    console.log(`hung board (digital pin only) → power cut: ${(at - t0).toFixed(0)} ms (bound ${bound} ms)`);
    expect(at - t0).toBeLessThanOrEqual(bound);
    // state and doctor say why: the probe went unanswered
    expect(b.station.state().safety?.smokeDetector).toMatchObject({
      online: false,
      detail: expect.stringContaining("hung"),
    });
    const checks = b.station.subsystems.flatMap((x) => x.doctorChecks ?? []);
    const boardCheck = checks.find((c) => c.id === "occupancy.board");
    expect(await boardCheck?.run()).toMatchObject({ ok: false, detail: expect.stringContaining("hung") });
    expect(s.events.find((e) => e.type === "safety.watch-lost")).toMatchObject({
      detail: expect.stringContaining("hung"),
    });
    expect(await runCommand(b, "outlet", { outlet: "ebike-1", action: "start" })).toMatchObject({
      status: "error",
    });
    expect(await runCommand(b, "sim.hang-board", { active: "off" })).toMatchObject({ status: "ok" });
    await waitFor(() => b.station.state().safety?.watchLost === false, "the detector seen again", 30_000);
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(true);
    expect(await boardCheck?.run()).toMatchObject({ ok: true });
    expect(await runCommand(b, "outlet", { outlet: "ebike-1", action: "start" })).toEqual({ status: "ok" });
  });

  it("an analog smoke sensor on the board: its threshold crossed cuts within one poll cycle", async () => {
    const s = await bootPowerStation(
      undefined,
      "",
      undefined,
      withBoard(15_000, "board: { analog: 1, threshold: 600 }"),
    );
    booted = s.booted;
    const b = s.booted;
    await boardWatched(s);
    letIn(b);
    expect(await runCommand(b, "outlet", { outlet: "ebike-2", action: "start" })).toEqual({ status: "ok" });
    const sched = b.station.ports.modbus?.scheduler("rs485");
    await waitFor(() => (sched?.lastCycle?.n ?? 0) >= 2, "two poll cycles", 15_000);
    const peer = b.occupancySim?.board;
    expect(peer?.analog[1]).toBe(400);
    const cycleMs = sched?.lastCycle?.durationMs ?? 0;
    let cutMs: number | undefined;
    b.station.bus.subscribe((e) => {
      if (e.type === "safety.alarm" && cutMs === undefined) cutMs = performance.now();
    });
    const t0 = performance.now();
    expect(await runCommand(b, "sim.smoke", { active: "on" })).toMatchObject({ status: "ok" });
    expect(peer?.analog[1]).toBe(800);
    const at = await waitFor(() => cutMs, "the safety alarm", 15_000);
    expect(relays(b)).toEqual([false, false, false, false]);
    expect(at - t0).toBeLessThanOrEqual(cycleMs);
    console.log(`analog board smoke → cut: ${(at - t0).toFixed(0)} ms; poll cycle ${cycleMs.toFixed(0)} ms`);
  });
});
