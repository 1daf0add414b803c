import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensureStationKey, loadSecretsFile } from "../config/secrets.ts";
import { stationPublicKey } from "../controller/remote/sealed-key.ts";

const OLD = `# provisioned 2026-03-01
credentialKey: ${"ab".repeat(32)} # the fleet's
mqtt:
  username: st-1
  password: hunter22
`;

function oldFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "ws-secrets-"));
  const file = join(dir, "secrets.yaml");
  writeFileSync(file, OLD, { mode: 0o600 });
  return file;
}

describe("a secrets file from before stationKey existed", () => {
  it("gets a station key at start; its lines and comments stay, mode 0600, no temp file left", () => {
    const file = oldFile();
    const key = ensureStationKey(file, loadSecretsFile(file));
    expect(key).toBeDefined();
    expect(stationPublicKey(key as string)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const after = loadSecretsFile(file);
    expect(after).toMatchObject({
      credentialKey: "ab".repeat(32),
      stationKey: key,
      mqtt: { username: "st-1" },
    });
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# provisioned 2026-03-01");
    expect(text).toContain("# the fleet's");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, ".."))).toEqual(["secrets.yaml"]);
  });

  it("a second start (or instance) with a stale copy keeps the key already written", () => {
    const file = oldFile();
    const stale = loadSecretsFile(file);
    const first = ensureStationKey(file, stale);
    expect(ensureStationKey(file, stale)).toBe(first);
    expect(loadSecretsFile(file).stationKey).toBe(first);
  });

  it("a file that cannot be written: no key, the file as it was", () => {
    const file = oldFile();
    // the temp file's name taken by a directory: the write fails as on a read-only /etc
    mkdirSync(join(file, "..", `.secrets.yaml.${process.pid}.tmp`));
    expect(ensureStationKey(file, loadSecretsFile(file))).toBeUndefined();
    expect(readFileSync(file, "utf8")).toBe(OLD);
  });
});
