import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BootedStation } from "../scripts/boot.ts";
import { bootPowerStation, letIn, runCommand } from "./support/power-station.ts";
import { waitFor } from "./support/wait.ts";

/**
 * A quarantine holds until a technician clears it, and a restart (a power cut, a crash, an
 * update) is no technician: it is kept in station-state.json beside the station's other
 * quarantines and restored before the first poll.
 */
const booted: BootedStation[] = [];
afterEach(async () => {
  for (const b of booted.splice(0)) await b.stop();
});

const quarantines = (dataDir: string) =>
  (
    JSON.parse(readFileSync(join(dataDir, "station-state.json"), "utf8")) as {
      quarantines: Record<string, unknown>;
    }
  ).quarantines;

describe("quarantines across a restart", { timeout: 90_000 }, () => {
  it("a quarantined outlet stays quarantined after a restart, though its meter reads well again", async () => {
    const first = await bootPowerStation();
    booted.push(first.booted);
    letIn(first.booted);
    await runCommand(first.booted, "outlet", { outlet: "phone-2", action: "start" });
    first.booted.powerSim?.control.meterFault("phone-2", "over-current");
    await waitFor(
      () => first.booted.station.state().outlets?.["phone-2"]?.state === "quarantined",
      "the quarantine",
      15_000,
    );
    await first.booted.stop();
    booted.pop();
    expect(quarantines(first.dataDir)).toEqual({
      "outlet/phone-2": expect.objectContaining({
        subsystem: "outlets",
        reason: "over-current",
        detail: expect.stringContaining(" A > "),
      }),
    });

    // the simulator comes back healthy: only the kept quarantine holds the outlet
    const second = await bootPowerStation(first.dataDir);
    booted.push(second.booted);
    const b = second.booted;
    await waitFor(() => b.station.state().modbus?.rs485?.devices["2"]?.online === true, "the meter read");
    expect(b.station.state().outlets?.["phone-2"]).toMatchObject({
      state: "quarantined",
      relay: false,
      quarantine: { reason: "over-current" },
    });
    letIn(b);
    expect(await runCommand(b, "outlet", { outlet: "phone-2", action: "start" })).toMatchObject({
      status: "error",
    });
    expect(b.powerSim?.relays.get("phone-2")?.read()).toBe(false);
    expect(await runCommand(b, "outlet", { outlet: "phone-2", action: "clear" })).toEqual({ status: "ok" });
    await waitFor(() => Object.keys(quarantines(first.dataDir)).length === 0, "the cleared quarantine saved");
    expect(await runCommand(b, "outlet", { outlet: "phone-2", action: "start" })).toEqual({ status: "ok" });
  });

  it("a quarantined cabinet slot stays out of service after a restart until it is released", async () => {
    const first = await bootPowerStation();
    booted.push(first.booted);
    await waitFor(
      () => first.booted.station.state().cabinet?.slots.length === 6,
      "the cabinet's first read",
      15_000,
    );
    first.booted.powerSim?.control.thermalRunaway(3);
    const q = await waitFor(
      () => first.events.find((e) => e.type === "cabinet.battery-quarantined"),
      "the slot quarantined",
      15_000,
    );
    await first.booted.stop();
    booted.pop();
    const batteryId = (q as unknown as { batteryId: string }).batteryId;
    expect(quarantines(first.dataDir)).toEqual({
      "cabinet/slot-3": expect.objectContaining({
        subsystem: "cabinet",
        reason: "over-temperature",
        item: batteryId,
      }),
    });

    const second = await bootPowerStation(first.dataDir);
    booted.push(second.booted);
    const b = second.booted;
    await waitFor(() => b.station.state().cabinet?.slots.length === 6, "the cabinet's first read", 15_000);
    expect(b.station.state().cabinet?.slots.find((s) => s.slot === 3)).toMatchObject({ quarantined: true });
    expect(await runCommand(b, "release-battery", { slot: 3 })).toEqual({ status: "ok" });
    await waitFor(() => Object.keys(quarantines(first.dataDir)).length === 0, "the release saved");
    expect(b.station.state().cabinet?.slots.find((s) => s.slot === 3)).toMatchObject({ quarantined: false });
  });
});
