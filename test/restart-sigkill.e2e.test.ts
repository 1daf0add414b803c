import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sendControl, socketFor } from "../scripts/control-client.ts";
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
/** The station's state through its control socket (the console needs a login). */
const state = async (file: string) =>
  (await sendControl(socketFor({ config: file }), "status")).data as State;

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
    expect((await state(s.file)).door.fire).toBe("latched");
    proc.kill("SIGKILL");
    await proc.exit();

    proc = new StationProcess(["run", "--config", s.file]);
    await proc.waitForLog("station ready");
    const after = await state(s.file);
    expect(after.door).toMatchObject({ fire: "latched", lock: "unlocked" });
    // the tamper switch reads closed in the new simulation: the alarm ended while we were down
    expect(after.alarms.map((a) => a.alarm)).toEqual(["fire"]);
  });
});

describe("a safety alarm after a SIGKILL", () => {
  let proc: StationProcess | undefined;
  afterEach(() => proc?.kill());

  it("keeps the outlets' and the cabinet's power cut until the technician's reset", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-restart-kill-safety-"));
    const file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      extra: `modbus: [{ id: rs485, kind: simulated }]
outlets: { list: [{ id: phone-1, kind: phone, bus: rs485, meterAddress: 1, relay: { pin: 5 } }] }
safety: { smokeDetector: { pin: 16, debounceMs: 0 } }`,
    });
    type Safety = {
      safety?: { active: string[]; latched: boolean };
      alarms: { alarm: string; source?: string }[];
    };
    const status = async () => (await sendControl(socketFor({ config: file }), "status")).data as Safety;
    proc = new StationProcess(["run", "--config", file]);
    await proc.waitForLog("station ready");
    // what `waystation sim smoke on` sends
    expect((await sendControl(socketFor({ config: file }), "sim.smoke", { active: true })).status).toBe("ok");
    expect((await status()).safety).toMatchObject({ active: ["smoke"], latched: true });
    expect((await sendControl(socketFor({ config: file }), "sim.smoke", { active: false })).status).toBe(
      "ok",
    );
    proc.kill("SIGKILL");
    await proc.exit();

    proc = new StationProcess(["run", "--config", file]);
    await proc.waitForLog("station ready");
    const after = await status();
    expect(after.safety).toMatchObject({ active: [], latched: true });
    expect(after.alarms).toContainEqual(expect.objectContaining({ alarm: "safety", source: "smoke" }));
    expect((await sendControl(socketFor({ config: file }), "safety-reset", {})).status).toBe("ok");
    const reset = await status();
    expect(reset.safety?.latched).toBe(false);
    expect(reset.alarms.some((a) => a.alarm === "safety")).toBe(false);
  });
});
