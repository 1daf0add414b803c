import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/child.ts";

const ROOT = resolve(import.meta.dirname, "..");

describe("waystation CLI", () => {
  it("config validate accepts the shipped example", async () => {
    const r = await runCli(["config", "validate", join(ROOT, "config/examples/raspberry-pi.yaml")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("valid (station sh-pudong-0042, real hardware)");
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

  it("unknown commands print the usage", async () => {
    const r = await runCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("waystation <command>");
  });
});
