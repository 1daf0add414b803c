import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";
import { faceKeys } from "../controller/face/face-keys.ts";
import { SAMPLE_FACES, sampleFaceFile } from "../simulator/face/sample-faces.ts";
import { CLI, runCli } from "./support/child.ts";
import { writeStationFile } from "./support/station-file.ts";

const run = promisify(execFile);

/** `waystation face enrol` and `face forget` on a station's data directory, as a technician runs them. */
describe("waystation face", () => {
  it("enrols from an image file (consent recorded, image not kept) and forgets again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-face-cli-"));
    const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1", extra: "face: {}\n" });
    const image = join(dir, "enrol.png");
    writeFileSync(image, sampleFaceFile(SAMPLE_FACES["man.enrol"]));
    const enrol = await run(
      process.execPath,
      [CLI, "face", "enrol", "p-77", image, "--config", file, "--consent", "form-12"],
      {
        timeout: 150_000,
      },
    );
    expect(enrol.stdout).toMatch(/p-77: 1 template\(s\) stored \(real [0-9.]+ live [0-9.]+\); face entry/);
    const config = loadConfigFile(file);
    const templates = join(config.dataDir, "face-templates");
    expect(readdirSync(templates)).toHaveLength(1);
    // the image stays where the technician had it; nothing but the template is in the data dir
    expect(readdirSync(config.dataDir).filter((f) => /\.(png|jpe?g)$/i.test(f))).toEqual([]);
    const keys = faceKeys(config.secretsFile, config.station.id);
    const store = new SqliteCredentialStore(join(config.dataDir, "credentials.db"));
    store.open();
    expect(store.lookup(keys.faceCredential("p-77"))?.personId).toBe("p-77");
    store.close();

    const forget = await run(process.execPath, [CLI, "face", "forget", "p-77", "--config", file, "--json"], {
      timeout: 150_000,
    });
    expect(JSON.parse(forget.stdout)).toEqual({
      ok: true,
      personId: "p-77",
      templatesErased: true,
      credentialsErased: 1,
    });
    expect(readdirSync(templates)).toEqual([]);
  }, 300_000);

  it("refuses an unknown role or a missing image before the models load; nothing written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-face-cli-"));
    const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1", extra: "face: {}\n" });
    const image = join(dir, "enrol.png");
    writeFileSync(image, sampleFaceFile(SAMPLE_FACES["man.enrol"]));
    const base = ["face", "enrol", "p-78", "--config", file];
    for (const [args, says] of [
      [
        [image, "--consent", "form-1", "--role", "boss"],
        'role is one of worker, technician, admin, not "boss"',
      ],
      [[join(dir, "nope.png"), "--consent", "form-1"], "no such file"],
    ] as const) {
      const r = await runCli([...base, ...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toContain(says);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // the role was once taken as "worker" without a word, after the enrolment
    expect(readdirSync(dir)).not.toContain("data");
  }, 60_000);
});
