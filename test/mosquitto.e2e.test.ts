import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, StationProcess } from "./support/child.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { freePort } from "./support/net.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * `npm start -- --broker URL` against a real Mosquitto, driven from a "second terminal"
 * (`waystation sim tap`), as the foundation issue's acceptance describes. Then the station dies
 * without saying goodbye and the broker's Last Will must flip its retained status to offline.
 */
describe("demo against a real Mosquitto", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const broker = new Mosquitto();
  let station: StationProcess;
  let sub: MqttCapture;
  let socket: string;

  beforeAll(async () => {
    await broker.start();
    const consolePort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "ws-demo-"));
    socket = join(dataDir, "run", "control.sock");
    station = new StationProcess([
      "demo",
      "--broker",
      broker.url,
      "--console-port",
      String(consolePort),
      "--data-dir",
      dataDir,
    ]);
    await station.waitForLog("station ready");
    sub = new MqttCapture(broker.url, "waystation/v1/#", 5);
    await sub.start();
  });

  afterAll(async () => {
    station?.kill();
    await sub?.stop();
    await broker.stop();
  });

  it("a late subscriber gets the retained status and state", async () => {
    // The first message on each topic is the broker's retained copy; later ones may be live
    // (the PC/SC reader comes online just after boot and the state follows).
    const first = (suffix: string) => sub.messages.find((m) => m.topic.endsWith(suffix));
    const status = await waitFor(() => first("/status"), "retained status");
    expect(status.retain).toBe(true);
    expect(status.json.online).toBe(true);
    const state = await waitFor(() => first("/state"), "retained state");
    expect(state.retain).toBe(true);
    expect(state.json.stationId).toBe("demo-station");
  });

  it("`waystation sim tap 04A1B2C3` from another process produces the grant and door events", async () => {
    const from = sub.events().length;
    const tap = await runCli(["sim", "tap", "04A1B2C3", "--socket", socket]);
    expect(tap.code).toBe(0);
    await sub.waitForEvent("access.granted", from);
    await sub.waitForEvent("door.unlocked", from);
    expect((await runCli(["sim", "push-door", "--socket", socket])).code).toBe(0);
    await sub.waitForEvent("door.opened", from);
    const exit = await runCli(["sim", "exit-button", "--socket", socket]);
    expect(exit.code).toBe(0);
    await sub.waitForEvent("exit.requested", from);
  });

  it("`waystation sim` with no station running says so", async () => {
    const r = await runCli(["sim", "tap", "04A1B2C3", "--socket", join(tmpdir(), "no-station.sock")]);
    expect(r.code).toBe(3); // EXIT.unreachable
    expect(r.stderr).toContain("no station answers");
    expect(r.stderr).toContain("npm start");
  });

  it("when the controller dies (SIGKILL) the Last Will sets the retained status offline", async () => {
    station.kill("SIGKILL");
    await waitFor(
      () => sub.last("/status")?.json.online === false,
      "offline status from the Last Will",
      10_000,
    );
    const late = new MqttCapture(broker.url, "waystation/v1/+/status", 5);
    await late.start();
    const retained = await waitFor(() => late.last("/status"), "retained status for a late subscriber");
    expect(retained.json.online).toBe(false);
    await late.stop();
  });
});
