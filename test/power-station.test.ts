import { afterEach, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { bootPowerStation, letIn, runCommand } from "./support/power-station.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The outlets, the cabinet and the safety coordinator in a whole simulated station: meters and
 * cabinet are Modbus RTU slaves paced at 9600 baud on the station's bus.
 */
let booted: BootedStation | undefined;
afterEach(async () => {
  await booted?.stop();
  booted = undefined;
});

const run = runCommand;
const types = (events: StationEvent[]) => events.map((e) => e.type);

describe("charging outlets on the station's bus", { timeout: 60_000 }, () => {
  it("a session bound to the person inside: powered, metered, stopped, with its energy", async () => {
    const s = await bootPowerStation();
    booted = s.booted;
    const b = s.booted;
    letIn(b);
    b.powerSim?.control.plug("ebike-1", "ebike", 20);
    expect(await run(b, "outlet", { outlet: "ebike-1", action: "start" })).toEqual({ status: "ok" });
    expect(b.powerSim?.relays.get("ebike-1")?.read()).toBe(true);
    await waitFor(
      () => (b.station.state().outlets?.["ebike-1"]?.powerW ?? 0) > 100,
      "the meter to read the charger",
    );
    const st = b.station.state().outlets?.["ebike-1"];
    expect(st).toMatchObject({
      state: "charging",
      relay: true,
      meterOnline: true,
      session: { personId: "p1" },
    });
    expect(await run(b, "outlet", { outlet: "ebike-1", action: "stop" })).toEqual({ status: "ok" });
    expect(b.powerSim?.relays.get("ebike-1")?.read()).toBe(false);
    const ended = s.events.find((e) => e.type === "outlet.session-ended");
    expect(ended).toMatchObject({ outlet: "ebike-1", personId: "p1", reason: "stopped" });
    // nobody let in: a start without a credential is refused
  });

  it("over-current cuts within the cycle and quarantines; commands lose until a technician clears it", async () => {
    const s = await bootPowerStation();
    booted = s.booted;
    const b = s.booted;
    letIn(b);
    await run(b, "outlet", { outlet: "phone-2", action: "start" });
    b.powerSim?.control.meterFault("phone-2", "over-current");
    await waitFor(
      () => b.station.state().outlets?.["phone-2"]?.state === "quarantined",
      "the quarantine",
      15_000,
    );
    expect(b.powerSim?.relays.get("phone-2")?.read()).toBe(false);
    expect(s.events.find((e) => e.type === "outlet.quarantined")).toMatchObject({
      outlet: "phone-2",
      reason: "over-current",
    });
    b.powerSim?.control.meterFault("phone-2", "none");
    expect(await run(b, "outlet", { outlet: "phone-2", action: "start" })).toMatchObject({ status: "error" });
    expect(b.powerSim?.relays.get("phone-2")?.read()).toBe(false);
    expect(await run(b, "outlet", { outlet: "phone-2", action: "clear" })).toEqual({ status: "ok" });
    expect(s.events.find((e) => e.type === "outlet.cleared")).toMatchObject({ by: "console:tech" });
    expect(await run(b, "outlet", { outlet: "phone-2", action: "start" })).toEqual({ status: "ok" });
  });

  it("a silent meter is a lost meter: cut and quarantined, the device reported offline", async () => {
    const s = await bootPowerStation();
    booted = s.booted;
    const b = s.booted;
    letIn(b);
    await run(b, "outlet", { outlet: "phone-1", action: "start" });
    b.powerSim?.control.meterFault("phone-1", "silent");
    await waitFor(
      () => b.station.state().outlets?.["phone-1"]?.quarantine?.reason === "meter-lost",
      "meter-lost",
    );
    expect(b.powerSim?.relays.get("phone-1")?.read()).toBe(false);
    await waitFor(
      () => b.station.state().modbus?.rs485?.devices["1"]?.online === false,
      "the meter offline",
      15_000,
    );
    expect(types(s.events)).toContain("modbus.device-offline");
    // the technician's doctor names the silent unit
    const check = b.station.subsystems
      .flatMap((x) => x.doctorChecks ?? [])
      .find((c) => c.id === "modbus.rs485");
    expect(await check?.run()).toMatchObject({
      ok: false,
      detail: expect.stringContaining("unit 1 (MODBUS_TIMEOUT)"),
    });
  });
});

describe("thermal runaway in a cabinet slot", { timeout: 60_000 }, () => {
  it("cuts every outlet and the cabinet, releases the door and raises the critical event within one poll cycle", async () => {
    const s = await bootPowerStation();
    booted = s.booted;
    const b = s.booted;
    letIn(b);
    for (const id of ["phone-1", "ebike-1"]) await run(b, "outlet", { outlet: id, action: "start" });
    await waitFor(() => b.station.state().cabinet?.slots.length === 6, "the cabinet's first read", 15_000);
    const sched = b.station.ports.modbus?.scheduler("rs485");
    await waitFor(() => (sched?.lastCycle?.n ?? 0) >= 2, "two poll cycles", 15_000);
    await waitFor(() => b.station.state().door.lock === "locked", "the door relocked after the tap", 10_000);
    let cutAt: { ms: number; cycle: number; relays: boolean[]; door: string } | undefined;
    b.station.bus.subscribe((e) => {
      if (e.type === "safety.alarm" && !cutAt)
        cutAt = {
          ms: performance.now(),
          cycle: sched?.lastCycle?.n ?? -1,
          relays: [...(b.powerSim?.relays.values() ?? [])].map((r) => r.read()),
          door: b.station.state().door.lock,
        };
    });
    const cycleAtRunaway = sched?.lastCycle?.n ?? 0;
    const t0 = performance.now();
    b.powerSim?.control.thermalRunaway(3);
    const cut = await waitFor(() => cutAt, "the safety alarm", 15_000);
    // at the alarm, every outlet is already off and the door already released
    expect(cut.relays).toEqual([false, false, false, false]);
    expect(cut.door).toBe("unlocked");
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(false);
    // within one poll cycle: at most the cycle under way finished before the cut
    expect(cut.cycle).toBeLessThanOrEqual(cycleAtRunaway + 1);
    expect(cut.ms - t0).toBeLessThanOrEqual((sched?.lastCycle?.durationMs ?? 0) * 1.5 + 50);
    const alarm = s.events.find((e) => e.type === "safety.alarm");
    expect(alarm).toMatchObject({ priority: "critical", cause: "cabinet-thermal" });
    // the sessions ended for the station's safety, the hot battery is quarantined
    expect(
      s.events.filter((e) => e.type === "outlet.session-ended").map((e) => (e as { reason?: string }).reason),
    ).toEqual(["station-safety", "station-safety"]);
    await waitFor(
      () => s.events.find((e) => e.type === "cabinet.battery-quarantined"),
      "the battery quarantined",
    );
    // nothing restores power while the alarm holds: a session, a command, a reset
    expect(await run(b, "outlet", { outlet: "phone-2", action: "start" })).toMatchObject({ status: "error" });
    expect(await run(b, "safety-reset", {})).toMatchObject({ status: "error", code: "SAFETY_STILL_ACTIVE" });
    expect([...(b.powerSim?.relays.values() ?? [])].some((r) => r.read())).toBe(false);
  });
});

describe("the outlets' opening hours (outlets.schedule) on the station's clock", { timeout: 60_000 }, () => {
  it("refuse a start outside them with the reason, and end a running session when they close", async () => {
    const s = await bootPowerStation(undefined, "", undefined, (y) =>
      y.replace(
        "  binding: occupant\n",
        '  binding: occupant\n  schedule: [{ from: "08:00", to: "22:00" }]\n',
      ),
    );
    booted = s.booted;
    const b = s.booted;
    // station.timezone is Asia/Shanghai by default: 23:30 there is after hours
    b.sim?.control.setWallTime(Date.parse("2026-12-02T23:30:00+08:00"));
    await waitFor(
      () => b.station.state().outlets?.["phone-1"]?.outsideSchedule,
      "the outlets closed",
      10_000,
    );
    letIn(b);
    expect(await run(b, "outlet", { outlet: "phone-1", action: "start" })).toMatchObject({ status: "error" });
    expect(s.events.find((e) => e.type === "outlet.refused")).toMatchObject({
      outlet: "phone-1",
      reason: "outside-schedule",
      source: "command",
    });
    expect(b.powerSim?.relays.get("phone-1")?.read()).toBe(false);
    // two seconds before closing: a session runs, then the hours close on it
    b.sim?.control.setWallTime(Date.parse("2026-12-02T21:59:58+08:00"));
    await waitFor(() => b.station.state().outlets?.["phone-1"]?.outsideSchedule === false, "open", 10_000);
    expect(await run(b, "outlet", { outlet: "phone-1", action: "start" })).toEqual({ status: "ok" });
    expect(b.powerSim?.relays.get("phone-1")?.read()).toBe(true);
    await waitFor(
      () => s.events.find((e) => e.type === "outlet.session-ended"),
      "the session ended at closing",
      10_000,
    );
    expect(s.events.find((e) => e.type === "outlet.session-ended")).toMatchObject({
      outlet: "phone-1",
      reason: "schedule",
    });
    expect(b.powerSim?.relays.get("phone-1")?.read()).toBe(false);
  });
});
