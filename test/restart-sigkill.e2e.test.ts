import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sendSimCommand } from "../simulator/control-http.ts";
import { StationProcess } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";

/**
 * What must survive is saved when it changes, not when the controller stops: a latched fire
 * release and a tamper alarm survive a SIGKILL of `waystation run` (the power-cut test of the
 * same file is the journal's: SIGKILL keeps the page cache, this proves the save-on-change).
 */
async function stationFile() {
  const dir = mkdtempSync(join(tmpdir(), "ws-restart-kill-"));
  const consolePort = await freePort();
  const file = writeStationFile(dir, {
    brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
    consolePort,
    hardware: `hardware:
  mode: simulated
  gpio:
    lockRelay: { pin: 17 }
    doorContact: { pin: 27 }
    exitButton: { pin: 22 }
    fireAlarm: { pin: 5, debounceMs: 0 }
    tamper: { pin: 6, debounceMs: 0 }`,
    door: "{ lockMode: fail-secure, fire: { revert: manual-reset } }",
  });
  return { file, consoleUrl: `http://127.0.0.1:${consolePort}` };
}

type State = { door: { fire: string; lock: string }; alarms: { alarm: string }[] };
const state = async (url: string) => (await (await fetch(`${url}/api/state`)).json()) as State;

describe("after a SIGKILL", () => {
  let proc: StationProcess | undefined;
  afterEach(() => proc?.kill());

  it("a latched fire release and an active alarm are still there", async () => {
    const s = await stationFile();
    proc = new StationProcess(["run", "--config", s.file]);
    await proc.waitForLog("station ready");
    await sendSimCommand(s.consoleUrl, "fire-alarm", { active: true });
    await sendSimCommand(s.consoleUrl, "fire-alarm", { active: false });
    await sendSimCommand(s.consoleUrl, "tamper", { active: true });
    expect((await state(s.consoleUrl)).door.fire).toBe("latched");
    proc.kill("SIGKILL");
    await proc.exit();

    proc = new StationProcess(["run", "--config", s.file]);
    await proc.waitForLog("station ready");
    const after = await state(s.consoleUrl);
    expect(after.door).toMatchObject({ fire: "latched", lock: "unlocked" });
    // the tamper switch reads closed in the new simulation: the alarm ended while we were down
    expect(after.alarms.map((a) => a.alarm)).toEqual(["fire"]);
  });
});
