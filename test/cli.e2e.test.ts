import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/child.ts";

const ROOT = resolve(import.meta.dirname, "..");

describe("waystation CLI", () => {
  it("config validate accepts the shipped example, and checks the secrets file it names", async () => {
    // The example names /etc/waystation/secrets.yaml: on this machine it may or may not exist,
    // so the example is validated as shipped against a secrets file of its own.
    const dir = mkdtempSync(join(tmpdir(), "ws-example-"));
    const secrets = join(dir, "secrets.yaml");
    const example = readFileSync(join(ROOT, "config/examples/raspberry-pi.yaml"), "utf8");
    expect(example).toContain("secretsFile: /etc/waystation/secrets.yaml");
    const file = join(dir, "station.yaml");
    writeFileSync(
      file,
      example.replace(
        "secretsFile: /etc/waystation/secrets.yaml",
        `secretsFile: ${join(dir, "missing.yaml")}`,
      ),
    );
    const missing = await runCli(["config", "validate", file]);
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toContain("the settings are valid, but the secrets file is not");
    expect((await runCli(["secrets", "init", secrets])).code).toBe(0);
    writeFileSync(
      file,
      example.replace("secretsFile: /etc/waystation/secrets.yaml", `secretsFile: ${secrets}`),
    );
    const r = await runCli(["config", "validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid (station sh-pudong-0042, real hardware)");
  });

  it("config validate: a deprecated time zone key is a warning (valid, exit 0), two that disagree a refusal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
    expect((await runCli(["secrets", "init", join(dir, "secrets.yaml")])).code).toBe(0);
    const file = join(dir, "station.yaml");
    const text = (zones: string) =>
      `station: { id: st-1 }\nsecretsFile: secrets.yaml\nhardware:\n  mode: simulated\n  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }\ndoor: { lockMode: fail-secure }\naccess: { ${zones} }\n`;
    writeFileSync(file, text("timezone: Asia/Urumqi"));
    const r = await runCli(["config", "validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid (station st-1");
    expect(r.stderr).toContain(
      'warning: access.timezone is deprecated: it is read as station.timezone ("Asia/Urumqi")',
    );
    const json = await runCli(["config", "validate", file, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, warnings: [{ setting: "access.timezone" }] });
    writeFileSync(
      file,
      text("timezone: Asia/Urumqi").replace("id: st-1", "id: st-1, timezone: Asia/Shanghai"),
    );
    const bad = await runCli(["config", "validate", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'access.timezone (line 7): station.timezone is "Asia/Shanghai" but access.timezone is "Asia/Urumqi"',
    );
  });

  it("config validate prints every error with its path and hint, and exits non-zero", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "station: { id: Bad Id }\nhardware:\n  mode: real\n  gpio:\n    lockRelay: { pin: 99 }\n    doorContact: { pin: 27 }\n    exitButton: { pin: 22, debounce: 5 }\ndoor: { lockMode: strike }\n",
    );
    const r = await runCli(["config", "validate", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("4 problems");
    expect(r.stderr).toMatch(/station\.id \(line 1\)/);
    expect(r.stderr).toMatch(/hardware\.gpio\.lockRelay\.pin \(line 5\)/);
    expect(r.stderr).toMatch(/hardware\.gpio\.exitButton\.debounce \(line 7\): unknown setting/);
    expect(r.stderr).toContain('did you mean "debounceMs"?');
    expect(r.stderr).toMatch(/door\.lockMode \(line 8\)/);
  });

  it("the controller refuses to start on an invalid file, the same way", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "station: { id: x }\n");
    const r = await runCli(["run", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("hardware: required setting is missing");
    expect(r.stderr).toContain("door: required setting is missing");
  });

  it("secrets init writes a 0600 file and credentials hash uses it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
    const file = join(dir, "secrets.yaml");
    expect((await runCli(["secrets", "init", file])).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const a = await runCli(["credentials", "hash", "04A1B2C3", "--secrets", file]);
    const b = await runCli(["credentials", "hash", "04:a1:b2:c3", "--secrets", file]);
    expect(a.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(b.stdout).toBe(a.stdout);
  });

  it("credentials: add, block, import (all or nothing) and count against a station's store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
    expect((await runCli(["secrets", "init", join(dir, "secrets.yaml")])).code).toBe(0);
    const config = join(dir, "station.yaml");
    writeFileSync(
      config,
      `station: { id: cli }\ndataDir: ${dir}\nsecretsFile: ${dir}/secrets.yaml\nhardware:\n  mode: simulated\n  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }\ndoor: { lockMode: fail-secure }\n`,
    );
    const add = await runCli([
      "credentials",
      "add",
      "04A1B2C3",
      "--config",
      config,
      "--person",
      "w1",
      "--valid-until",
      "2030-01-01T00:00:00Z",
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect((await runCli(["credentials", "block", "04A1B2C3", "--config", config])).stdout).toContain(
      "now blocked",
    );
    const csv = join(dir, "staff.csv");
    writeFileSync(
      csv,
      "uid,personId,role\n04000001,w2,worker\n04000002,t1,technician\nZZ,w3,worker\n04000003,,worker\n",
    );
    const bad = await runCli(["credentials", "import", csv, "--config", config]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("2 bad line(s); nothing imported");
    expect(bad.stderr).toContain("line 4");
    expect(bad.stderr).toContain("line 5");
    expect((await runCli(["credentials", "count", "--config", config])).stdout.trim()).toBe("1");
    writeFileSync(csv, "uid,personId,role\n04000001,w2,worker\n04000002,t1,technician\n");
    expect((await runCli(["credentials", "import", csv, "--config", config])).stdout).toContain(
      "imported 2; 3 credentials",
    );
    const db = readFileSync(join(dir, "credentials.db"));
    expect(db.includes(Buffer.from("04A1B2C3"))).toBe(false);
    expect(db.includes(Buffer.from([0x04, 0xa1, 0xb2, 0xc3]))).toBe(false);
    // seven CLI processes: on a loaded machine each takes seconds to start
  }, 90_000);

  it("credentials add refuses a PIN the keypad would refuse, without repeating it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
    writeFileSync(join(dir, "secrets.yaml"), `credentialKey: ${"ab".repeat(32)}\n`, { mode: 0o600 });
    const config = join(dir, "station.yaml");
    writeFileSync(
      config,
      `station: { id: cli }\ndataDir: ${dir}/data\nsecretsFile: ${dir}/secrets.yaml\nhardware:\n  mode: simulated\n  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }\ndoor: { lockMode: fail-secure }\n`,
    );
    // A PIN the keypad would refuse is refused at enrolment: too short, or PINs alone not allowed.
    const pin = (p: string) =>
      runCli(["credentials", "add", "-", "--kind", "keypad", "--config", config, "--person", "p1"], p);
    const short = await pin("2468");
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("at least 6 digits");
    const alone = await pin("246813");
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain("second factor only");
    expect(alone.stderr + short.stderr).not.toMatch(/2468/);
  });

  it("unknown commands print the usage", async () => {
    const r = await runCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain("Usage: waystation [options] [command]");
  });
});
