import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { createSecretsFile } from "../config/secrets.ts";
import { shippedModelDir } from "../device/face/model-files.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { faceStationFile } from "../simulator/face/face-station-file.ts";
import { captureLogger } from "./support/capture-log.ts";
import { runCli } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { waitFor } from "./support/wait.ts";

interface Check {
  id: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

/**
 * `waystation doctor` shows the face module's checks (controller/face/face-checks.ts, whose causes
 * are tested one by one in face-checks.test.ts) from the running station: here the face process
 * cannot load its models within face.service.loadTimeoutMs, so face.process fails with its
 * cause and hint while the camera passes. The models it is given are named pipes nobody writes
 * to: reading them hangs, whatever the machine's speed (the real models load in ~0.3 s here).
 */
describe("doctor: the camera and the face service", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-doctor-face-"));
  const file = join(dir, "station.yaml");
  let booted: BootedStation;

  beforeAll(async () => {
    const secretsFile = join(dir, "secrets.yaml");
    createSecretsFile(secretsFile);
    writeFileSync(
      file,
      faceStationFile({
        stationId: "face-doctor",
        dataDir: join(dir, "data"),
        secretsFile,
        brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
        rereadSuppressMs: 100,
        // the shortest load time allowed; one attempt only while the test runs
        faceLines: ["  service: { loadTimeoutMs: 1000, restartInitialMs: 600000, restartMaxMs: 600000 }"],
      }),
    );
    const models = join(dir, "models");
    mkdirSync(models);
    for (const name of readdirSync(shippedModelDir()).filter((n) => n.endsWith(".json")))
      execFileSync("mkfifo", [join(models, name)]);
    process.env.WAYSTATION_FACE_MODELS = models;
    try {
      booted = await bootStation({ config: loadConfigFile(file), logger: captureLogger("warn").logger });
    } finally {
      delete process.env.WAYSTATION_FACE_MODELS;
    }
    await waitFor(
      () => booted.station.state().face?.status === "down",
      "the face process to give up loading",
      30_000,
      50,
    );
  }, 60_000);

  afterAll(async () => {
    await booted?.stop();
  });

  it("lists face.camera, face.process and face.templates; the process failing with its cause and fix", async () => {
    const r = await runCli(["doctor", "--config", file, "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const checks = (JSON.parse(r.stdout) as { checks: Check[] }).checks;
    const byId = new Map(checks.map((c) => [c.id, c]));
    expect(byId.get("face.camera")).toMatchObject({ ok: true, detail: expect.stringContaining("online") });
    const proc = byId.get("face.process");
    expect(proc?.ok).toBe(false);
    expect(proc?.detail).toMatch(
      /^face process backoff: the face process did not load in 1000 ms \(restarts 0, retry in \d+ s\)$/,
    );
    expect(proc?.hint).toContain("journalctl -u waystation");
    expect(byId.get("face.templates")).toMatchObject({ ok: false });
    // and as text for the technician: FAIL with the fix under it
    const text = await runCli(["doctor", "--config", file]);
    expect(text.stdout).toMatch(
      /FAIL {2}face process alive, models loaded \[face\.process\]: face process backoff/,
    );
    expect(text.stdout).toMatch(/\[face\.process\].*\n {6}fix: journalctl -u waystation/);
  }, 60_000);
});
