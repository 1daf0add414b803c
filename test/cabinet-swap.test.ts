import { afterEach, describe, expect, it } from "vitest";
import type { StationEvent } from "../controller/contract/events.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { bootPowerStation, letIn, runCommand } from "./support/power-station.ts";
import { waitFor } from "./support/wait.ts";

/** A battery swap on the simulated cabinet, over the station's Modbus bus, and one resumed after a restart. */
const booted: BootedStation[] = [];
afterEach(async () => {
  for (const b of booted.splice(0)) await b.stop();
});

const run = runCommand;
const find = (events: StationEvent[], type: string) => () => events.find((e) => e.type === type);

describe("battery swap", { timeout: 60_000 }, () => {
  it("opens the empty slot, takes the old battery, issues the fullest healthy one", async () => {
    const s = await bootPowerStation();
    booted.push(s.booted);
    const b = s.booted;
    const cab = b.powerSim?.cabinet;
    if (!cab) throw new Error("no simulated cabinet");
    cab.setFault(6, "cell-imbalance", true); // the fullest one (slot 6, 100 %) is not healthy
    letIn(b);
    await waitFor(() => b.station.state().cabinet?.slots.length === 6, "the cabinet's first read", 15_000);
    await waitFor(
      () => s.events.find((e) => e.type === "cabinet.battery-quarantined"),
      "slot 6 quarantined",
      15_000,
    );
    expect(await run(b, "swap", {})).toMatchObject({ status: "ok", data: { slot: 1 } });
    await waitFor(() => !cab.slot(1).view.doorLocked, "slot 1 unlocked over Modbus", 15_000);
    expect(b.powerSim?.control.deposit(12)).toBe(1);
    await waitFor(() => !cab.slot(5).view.doorLocked, "the fullest healthy battery's slot unlocked", 15_000);
    expect(b.powerSim?.control.take()).toMatchObject({ slot: 5 });
    const done = (await waitFor(
      find(s.events, "swap.completed"),
      "swap.completed",
      15_000,
    )) as StationEvent<"swap.completed">;
    expect(done.personId).toBe("p1");
    expect(done.deposited).toMatchObject({ slot: 1, socPct: 12 });
    expect(done.issued.slot).toBe(5);
    expect(done.issued.socPct).toBeGreaterThanOrEqual(80);
    expect(b.station.state().cabinet?.swap.step).toBe("idle");
    // the quarantined battery is released by a technician: its slot opens
    expect(await run(b, "release-battery", { slot: 6 })).toEqual({ status: "ok" });
    await waitFor(() => !cab.slot(6).view.doorLocked, "slot 6 opened for the technician", 15_000);
  });

  it("a cabinet that stops answering is reported offline and its chargers are cut until it answers", async () => {
    const s = await bootPowerStation();
    booted.push(s.booted);
    const b = s.booted;
    const cab = b.powerSim?.cabinet;
    if (!cab) throw new Error("no simulated cabinet");
    letIn(b);
    await waitFor(() => b.station.state().cabinet?.slots.length === 6, "the cabinet's first read", 15_000);
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(true);
    cab.silent = true;
    await waitFor(find(s.events, "cabinet.offline"), "cabinet.offline", 15_000);
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(false);
    expect(await runCommand(b, "swap", {})).toMatchObject({ status: "error", code: "CABINET_OFFLINE" });
    cab.silent = false;
    await waitFor(find(s.events, "cabinet.online"), "cabinet.online", 15_000);
    expect(b.powerSim?.cabinetPowerRelay.read()).toBe(true);
  });

  it("power lost mid-swap: the next boot resumes from the saved state and finishes it", async () => {
    const first = await bootPowerStation();
    booted.push(first.booted);
    letIn(first.booted);
    await waitFor(
      () => first.booted.station.state().cabinet?.slots.length === 6,
      "the cabinet's first read",
      15_000,
    );
    expect(await run(first.booted, "swap", {})).toMatchObject({ status: "ok" });
    await waitFor(() => !first.booted.powerSim?.cabinet?.slot(1).view.doorLocked, "slot 1 unlocked", 15_000);
    // the power goes: controller and cabinet restart; the cabinet's doors come back locked
    await first.booted.stop();
    booted.pop();
    const second = await bootPowerStation(first.dataDir);
    booted.push(second.booted);
    const cab = second.booted.powerSim?.cabinet;
    await waitFor(find(second.events, "swap.resumed"), "swap.resumed", 15_000);
    expect(second.events.find((e) => e.type === "swap.resumed")).toMatchObject({ step: "awaiting-deposit" });
    await waitFor(() => !cab?.slot(1).view.doorLocked, "slot 1 unlocked again after the restart", 15_000);
    second.booted.powerSim?.control.deposit(30);
    await waitFor(
      () => second.booted.station.state().cabinet?.swap.step === "awaiting-take",
      "the issue step",
    );
    // the issue slot opens when its unlock has gone over the bus
    await waitFor(() => second.booted.powerSim?.control.take(), "the new battery taken", 15_000);
    const done = await waitFor(find(second.events, "swap.completed"), "swap.completed", 15_000);
    expect(done).toMatchObject({ deposited: { slot: 1, socPct: 30 } });
  });
});
