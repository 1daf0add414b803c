import { chmodSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendSimCommand } from "../simulator/control-http.ts";
import { StationProcess } from "./support/child.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { freePort } from "./support/net.ts";
import { daemon, findBinary, realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The journal's directory is read-only (an SD card the kernel remounted read-only, a wrong
 * owner). The controller must say so clearly, raise the alarm on MQTT, and the door must still
 * work. As root, permission bits do not stop writes, so the station then runs in its own mount
 * namespace with the directory bind-mounted read-only: the real EROFS a failing card gives.
 */
const asRoot = process.getuid?.() === 0;
const unshare = findBinary("unshare");

function readOnly(dataDir: string): ((argv: string[]) => string[]) | undefined {
  if (!asRoot) {
    chmodSync(dataDir, 0o500);
    return undefined;
  }
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return (argv) => [
    unshare ?? "unshare",
    "-m",
    "sh",
    "-c",
    `mount --bind ${q(dataDir)} ${q(dataDir)} && mount -o remount,bind,ro ${q(dataDir)} && exec ${argv.map(q).join(" ")}`,
  ];
}

describe("a read-only journal directory", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;
  // As root a read-only mount needs unshare: missing, this is skipped with the install command
  // printed (or fails under WAYSTATION_REQUIRE_REAL_STACK=1), like any missing daemon.
  if (asRoot && !realStackAvailable(daemon("unshare", "util-linux"))) return;

  const broker = new Mosquitto();
  let station: StationProcess;
  let sub: MqttCapture;
  let consoleUrl: string;

  beforeAll(async () => {
    await broker.start();
    sub = new MqttCapture(broker.url, "waystation/v1/#", 5);
    await sub.start();
    const dir = mkdtempSync(join(tmpdir(), "ws-readonly-"));
    const dataDir = join(dir, "data");
    mkdirSync(dataDir, { mode: 0o700 });
    const consolePort = await freePort();
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    const file = writeStationFile(dir, { brokerUrl: broker.url, dataDir, consolePort, allowUid: "04A1B2C3" });
    station = new StationProcess(["run", "--config", file], {}, readOnly(dataDir));
    await station.waitForLog("station ready");
  });

  afterAll(async () => {
    station?.kill();
    await sub?.stop();
    await broker.stop();
  });

  it("logs a clear error with what to do", () => {
    const line = station.logs().find((l) => l.code === "JOURNAL_READ_ONLY");
    expect(line?.level).toBe(50);
    expect(String(line?.msg)).toContain("journal cannot write");
    expect(String(line?.err)).toMatch(/read-only or not writable/);
    expect(String(line?.hint)).toMatch(/mount/);
  });

  it("raises the alarm: a journal.unwritable event, the retained state and the telemetry say so", async () => {
    const alarm = await sub.waitForEvent("journal.unwritable", 0, 10_000);
    expect(alarm).toMatchObject({ code: "JOURNAL_READ_ONLY", stationId: "test-station" });
    const state = await waitFor(() => sub.last("/state"), "retained state");
    expect(state.json.journal).toMatchObject({ health: "unwritable" });
    expect(String((state.json.journal as { error?: string }).error)).toMatch(/read-only/);
    const telemetry = await waitFor(() => sub.last("/telemetry"), "telemetry", 10_000);
    expect(telemetry.json.journal).toMatchObject({ health: "unwritable" });
  });

  it("the door still works: a known card unlocks it, and the events still reach the broker", async () => {
    const from = sub.events().length;
    await sendSimCommand(consoleUrl, "tap", { uid: "04A1B2C3" });
    await sub.waitForEvent("access.granted", from, 10_000);
    await sub.waitForEvent("door.unlocked", from, 10_000);
    const state = (await (await fetch(`${consoleUrl}/api/state`)).json()) as {
      door: { lock: string };
      journal: { health: string; backlog: number };
    };
    expect(state.door.lock).toBe("unlocked");
    expect(state.journal.health).toBe("unwritable");
  });
});
