import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, DoctorCheck, SelftestStep, Subsystem } from "../controller/subsystem.ts";
import { Command } from "../device/ld2410/codec.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { bootOccupancyStation, sensorHealth } from "./support/occupancy-station.ts";
import { waitFor } from "./support/wait.ts";

/**
 * Occupancy's doctor checks and selftest steps in a whole simulated station: each device's
 * fault (radar unplugged, a beam blocked, a PIR stuck, a board that is not there) fails its own
 * check, with the hint for that cause.
 */
const occupancy = (b: BootedStation): Subsystem => {
  const s = b.station.subsystems.find((x) => x.name === "occupancy");
  if (!s) throw new Error("no occupancy subsystem");
  return s;
};
const doctor = (b: BootedStation, id: string): Promise<CheckResult> => {
  const c = occupancy(b).doctorChecks?.find((x: DoctorCheck) => x.id === id);
  if (!c) throw new Error(`no doctor check ${id}`);
  return c.run();
};
const selftest = (b: BootedStation, id: string, attended = false, onProgress?: (line: string) => void) => {
  const step = occupancy(b).selftestSteps?.find((x: SelftestStep) => x.id === id);
  if (!step) throw new Error(`no selftest step ${id}`);
  const lines: string[] = [];
  return step
    .run({
      attended,
      progress: (l) => {
        lines.push(l);
        onProgress?.(l);
      },
    })
    .then((r) => ({ ...r, lines }));
};

describe("occupancy doctor and selftest", () => {
  let booted: BootedStation;
  const health = (sensor: "radar" | "pir" | "beam") =>
    booted.station.state().occupancy?.sensors[sensor]?.health;
  const sim = () => {
    const s = booted.occupancySim;
    if (!s?.doorway) throw new Error("no simulator");
    return { occ: s, doorway: s.doorway };
  };

  beforeAll(async () => {
    booted = await bootOccupancyStation(`  radar: { port: simulated }
  pir: { pin: 23, debounceMs: 10 }
  beam: { outer: { pin: 24, debounceMs: 10 }, inner: { pin: 25, debounceMs: 10 }, blockedMs: 1000 }
  board: { port: simulated, analog: { temperature: 0, smoke: 1 } }
  pirStuckMin: 0.1`);
    await sensorHealth(booted, "radar", "good", 15_000);
    await sensorHealth(booted, "board", "good", 15_000);
  });
  afterAll(async () => {
    await booted?.stop();
  });

  it("every device healthy: each check and step passes, naming what it read", async () => {
    const ids = ["occupancy.radar", "occupancy.pir", "occupancy.beam", "occupancy.board"];
    expect(occupancy(booted).doctorChecks?.map((c) => c.id)).toEqual(ids);
    expect(occupancy(booted).selftestSteps?.map((c) => c.id)).toEqual(ids);
    for (const id of ids) expect(await doctor(booted, id), id).toMatchObject({ ok: true });
    expect(await selftest(booted, "occupancy.radar")).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^firmware V?\d/),
    });
    expect(await selftest(booted, "occupancy.board")).toMatchObject({
      ok: true,
      detail: expect.stringContaining("2 analog inputs reporting"),
    });
    // Unattended, nobody can wave or walk: the level is read, the exercise is skipped.
    expect(await selftest(booted, "occupancy.pir")).toMatchObject({ ok: true, skipped: true });
    expect(await selftest(booted, "occupancy.beam")).toMatchObject({ ok: true, skipped: true });
  });

  it("attended: a PIR that sees nothing while the technician is asked to wave fails, with the PIR's own hint", async () => {
    const { doorway } = sim();
    await waitFor(() => !doorway.pir.read(), "PIR clear", 10_000);
    // Nobody moves in front of it: what a dead PIR, a cut output wire or a masked lens look like.
    const pir = await selftest(booted, "occupancy.pir", true);
    expect(pir).toMatchObject({ ok: false, detail: "no motion seen in 20 s" });
    expect(pir.hint).toContain("lens is not masked");
  }, 40_000);

  it("attended: the technician waves at the PIR and walks in through the beams when asked", async () => {
    const { occ, doorway } = sim();
    await waitFor(() => !doorway.pir.read(), "PIR clear", 10_000);
    const pir = await selftest(booted, "occupancy.pir", true, () => occ.move());
    expect(pir).toMatchObject({ ok: true, detail: "the PIR saw motion" });
    expect(pir.lines[0]).toMatch(/^wave in front of the PIR/);
    const beam = await selftest(booted, "occupancy.beam", true, () => doorway.walk("in", 1));
    expect(beam).toMatchObject({ ok: true, detail: expect.stringContaining("counted in") });
    // Walking the wrong way is what swapped beams look like.
    const swapped = await selftest(booted, "occupancy.beam", true, () => doorway.walk("out", 1));
    expect(swapped).toMatchObject({ ok: false, hint: expect.stringContaining("swapped") });
  });

  it("a beam blocked: the step fails at once, the doctor once the counter calls it suspect", async () => {
    const { doorway } = sim();
    doorway.blockOuter();
    try {
      // past the input's 10 ms debounce
      await new Promise((r) => setTimeout(r, 100));
      expect(await selftest(booted, "occupancy.beam", true)).toMatchObject({
        ok: false,
        detail: "the outer beam reads broken with nobody in the doorway",
        hint: expect.stringContaining("align the emitter"),
      });
      await waitFor(() => health("beam") === "suspect", "beam suspect", 10_000);
      expect(await doctor(booted, "occupancy.beam")).toMatchObject({
        hint: expect.stringContaining("align"),
      });
    } finally {
      doorway.clearBeams();
    }
    await waitFor(() => health("beam") === "good", "beam good again", 10_000);
    expect(await doctor(booted, "occupancy.beam")).toMatchObject({ ok: true });
  });

  it("a PIR stuck active while the radar sees nobody: the doctor and the step fail with its cause", async () => {
    const { doorway } = sim();
    doorway.pir.set(true);
    try {
      await waitFor(() => health("pir") === "suspect", "PIR suspect", 30_000);
      const d = await doctor(booted, "occupancy.pir");
      expect(d.detail).toMatch(/^suspect: reads motion .* radar sees nobody/);
      expect(d.hint).toMatch(/heat source/);
      expect(await selftest(booted, "occupancy.pir", true)).toMatchObject({ ok: false, hint: d.hint });
    } finally {
      doorway.pir.set(false);
    }
    await waitFor(() => health("pir") === "good", "PIR good again", 10_000);
    expect(await doctor(booted, "occupancy.pir")).toMatchObject({ ok: true });
  });

  it("the radar unplugged: the doctor says its port is gone, the step that it did not answer", async () => {
    const { occ } = sim();
    await occ.unplugRadar();
    try {
      await waitFor(() => health("radar") === "offline", "radar offline", 10_000);
      expect(await doctor(booted, "occupancy.radar")).toMatchObject({
        detail: expect.stringMatching(/^offline/),
        hint: expect.stringContaining("serial port is gone"),
      });
      expect(await selftest(booted, "occupancy.radar")).toMatchObject({
        ok: false,
        detail: expect.stringContaining("did not answer"),
        hint: expect.stringContaining("serial port is gone"),
      });
    } finally {
      await occ.replugRadar();
    }
    await waitFor(() => health("radar") === "good", "radar good again", 20_000);
    expect(await doctor(booted, "occupancy.radar")).toMatchObject({ ok: true });
  });
});

describe("occupancy doctor: a radar whose energies latch", () => {
  let booted: BootedStation;
  beforeAll(async () => {
    booted = await bootOccupancyStation("  radar: { port: simulated, latchMin: 0.1 }");
    await sensorHealth(booted, "radar", "good", 15_000);
  });
  afterAll(async () => {
    await booted?.stop();
  });

  it("is marked suspect with the latched hint while it repeats itself, restarted, and good again", async () => {
    const occ = booted.occupancySim;
    const peer = occ?.radar;
    if (!occ || !peer) throw new Error("no simulated radar");
    occ.walkIn(1);
    occ.standStill();
    const seen: { health: string; detail?: string | undefined }[] = [];
    const doctorWhileLatched: Promise<CheckResult>[] = [];
    booted.station.bus.subscribe((e) => {
      if (e.type !== "occupancy.sensor-health" || e.sensor !== "radar") return;
      seen.push({ health: e.health, detail: e.detail });
      // What a technician running doctor at that moment reads.
      if (e.health === "suspect") doctorWhileLatched.push(doctor(booted, "occupancy.radar"));
    });
    const restartsBefore = peer.received.filter((c) => c === Command.restart).length;
    occ.latch(true);
    await waitFor(() => seen.some((s) => s.health === "suspect"), "radar suspect", 20_000);
    expect(seen.find((s) => s.health === "suspect")?.detail).toMatch(/identical energies/);
    const d = await doctorWhileLatched[0];
    expect(d).toMatchObject({ ok: false, hint: expect.stringContaining("repeats identical energies") });
    // The station restarts the module (the simulated one, like the real, forgets the fault).
    await sensorHealth(booted, "radar", "good", 20_000);
    expect(peer.received.filter((c) => c === Command.restart).length).toBeGreaterThan(restartsBefore);
    expect(await doctor(booted, "occupancy.radar")).toMatchObject({ ok: true });
  }, 60_000);
});

describe("occupancy doctor and selftest: an I/O board that is not there", () => {
  let booted: BootedStation;
  beforeAll(async () => {
    booted = await bootOccupancyStation(
      "  board: { port: /dev/waystation-no-such-board, readyTimeoutMs: 1000 }",
    );
  });
  afterAll(async () => {
    await booted?.stop();
  });

  it("fails the doctor and the step with the port named and the Firmata hint", async () => {
    for (const r of [await doctor(booted, "occupancy.board"), await selftest(booted, "occupancy.board")]) {
      expect(r).toMatchObject({
        ok: false,
        detail: expect.stringContaining("/dev/waystation-no-such-board: not ready"),
        hint: expect.stringContaining("StandardFirmata"),
      });
    }
  });
});
