import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { runDoctor } from "../scripts/commands/doctor.ts";
import { SERIAL_CAUSES } from "../scripts/doctor/device-checks.ts";
import { check, noProcs, synced } from "./support/doctor.ts";
import { freePort } from "./support/net.ts";
import { sensorHealth } from "./support/occupancy-station.ts";
import { writeStationFile } from "./support/station-file.ts";

/**
 * doctor on a running station whose subsystems' checks fail for their causes: the I/O board on
 * a port that is not there (doctor's own serial check says so too), the radar unplugged.
 */
const MISSING = "/dev/serial/by-id/usb-Arduino_Uno_not-plugged-if00";

describe("doctor: the subsystems' checks of a running station", () => {
  let booted: BootedStation;
  let file: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-doc-sub-"));
    file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      extra: `occupancy:\n  radar: { port: simulated }\n  board: { port: ${MISSING} }\n`,
    });
    booted = await bootStation({
      config: loadConfigFile(file),
      logger: pino({ level: "silent" }),
      pcscStack: "off",
    });
  }, 30_000);

  afterAll(async () => {
    await booted?.stop();
  });

  it("an I/O board that is not there: not answering Firmata, and its serial port missing", async () => {
    const { checks } = await runDoctor(file, { timePaths: synced(), procRoot: noProcs() });
    expect(check(checks, "instance").detail).toContain("the station answers");
    const board = check(checks, "occupancy.board");
    expect(board).toMatchObject({ ok: false, hint: expect.stringContaining("StandardFirmata") });
    expect(board.detail).toContain(MISSING);
    expect(check(checks, "serial")).toMatchObject({ ok: false, hint: SERIAL_CAUSES.missing.hint });
    expect(check(checks, "occupancy.radar").ok).toBe(true);
  }, 30_000);

  it("the radar unplugged: its check fails with where to look", async () => {
    await booted.occupancySim?.unplugRadar();
    await sensorHealth(booted, "radar", "offline", 10_000);
    const { checks } = await runDoctor(file, { timePaths: synced(), procRoot: noProcs() });
    expect(check(checks, "occupancy.radar")).toMatchObject({
      ok: false,
      hint: expect.stringContaining("occupancy.radar.port"),
    });
    await booted.occupancySim?.replugRadar();
  }, 30_000);
});
