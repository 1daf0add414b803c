import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStationError } from "../config/errors.ts";
import { loadConfigFile } from "../config/load.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { sendSimCommand } from "../simulator/control-http.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/** `waystation sim set-time` with a date no station sees: a typed error, and the station runs on. */
describe("the simulator's set-time", () => {
  let booted: BootedStation;
  let consoleUrl: string;
  const events: StationEvent[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-settime-"));
    const port = await freePort();
    const file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      consolePort: port,
    });
    booted = await bootStation({ config: loadConfigFile(file), logger: pino({ level: "silent" }) });
    booted.station.bus.subscribe((e) => events.push(e));
    consoleUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await booted?.stop();
  });

  it.each([
    "+275760-09-13T00:00:00.000Z", // the last instant a Date can hold: the clock runs past it at once
    "-271821-04-20T00:00:00.000Z",
    "1969-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
  ])("%s is refused with a typed error", async (time) => {
    const err = await sendSimCommand(consoleUrl, "set-time", { time }).catch((e: unknown) => e);
    expect(isStationError(err, "SIM_BAD_COMMAND")).toBe(true);
    expect((err as Error).message).toContain("2000 to 2099");
    expect(() => booted.sim?.control.setWallTime(Date.parse(time))).toThrow(
      expect.objectContaining({ code: "SIM_TIME_OUT_OF_RANGE" }),
    );
  });

  it("after the refusals the station still decides and its events carry sane times", async () => {
    await sendSimCommand(consoleUrl, "set-time", { time: "2026-12-01T03:00:00+08:00" });
    const from = events.length;
    await sendSimCommand(consoleUrl, "tap", { uid: "04A1B2C3" });
    const e = await waitFor(() => events.slice(from).find((x) => x.type === "access.denied"), "a decision");
    expect(e.ts.startsWith("2026-11-30T19:00")).toBe(true);
  });
});
