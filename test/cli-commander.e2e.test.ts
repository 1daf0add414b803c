import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";
import { runCli } from "./support/child.ts";
import { writeStationFile } from "./support/station-file.ts";

/** The command tree, its exit codes and the station-file commands, through the real CLI. */
const STACK = /\n\s+at /;

describe("the waystation command", () => {
  it("--help lists the commands and the exit codes; a command's --help its options", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of [
      "demo",
      "run",
      "lock",
      "config",
      "doctor",
      "selftest",
      "enroll",
      "credentials",
      "events",
      "sim",
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    expect(r.stdout).toContain("Exit codes");
    expect(r.stdout).toMatch(/^\s+3 {2}no running station answers/m);
    const sub = await runCli(["credentials", "import", "--help"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("--replace");
    expect(sub.stdout).toContain("--config <file>");
  });

  it("a mistake on the command line exits 2 with the word named; no stack trace", async () => {
    for (const args of [
      ["credentials", "add"],
      ["doctor", "--bogus"],
      ["config", "frob"],
      ["lock", "safe", "--nope"],
      // not a power command: refused here, never sent to the station (it would unlock the door)
      ["power", "unlock"],
      ["door", "frob"],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("hint: waystation --help");
      expect(r.stderr).not.toMatch(STACK);
    }
    expect((await runCli(["doctor", "--bogus"])).stderr).toContain("unknown option '--bogus'");
  }, 60_000);

  it("config set changes one setting keeping comments, and refuses an invalid result", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cfg-"));
    const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1" });
    writeFileSync(file, `# the pilot station\n${readFileSync(file, "utf8")}`);
    chmodSync(file, 0o640);
    const ok = await runCli(["config", "set", "door.unlockMs", "7000", "--config", file]);
    expect(ok.code, ok.stderr).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# the pilot station");
    expect((await runCli(["config", "show", "--json", "--config", file])).stdout).toContain(
      '"unlockMs": 7000',
    );
    const bad = await runCli(["config", "set", "door.unlockMs", "999999", "--config", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("door.unlockMs");
    expect(bad.stderr).toContain("was left as it was");
    expect(readFileSync(file, "utf8")).toBe(text);
    const diff = await runCli(["config", "diff", "--config", file]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^door\.unlockMs: \d+ -> 7000$/m);
    // the station's one time zone is shown resolved, and a default is no difference
    expect((await runCli(["config", "show", "--config", file])).stdout).toContain(
      'station.timezone = "Asia/Shanghai"',
    );
    expect(diff.stdout).not.toContain("timezone");
  }, 60_000);

  it("config validate checks the secrets file and the key fingerprint too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cfg-"));
    const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1", dataDir: join(dir, "data") });
    const good = await runCli(["config", "validate", file]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/key fingerprint [0-9a-f]+/);
    // a credential enrolled under another key: the station would refuse to start
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "data"), { recursive: true, mode: 0o700 });
    const store = new SqliteCredentialStore(join(dir, "data", "credentials.db"));
    store.open();
    store.checkKeyFingerprint("0000000000000000");
    store.upsert([
      { credential: "ab".repeat(32), personId: "p", role: "worker", status: "active", secondFactor: false },
    ]);
    store.close();
    const wrongKey = await runCli(["config", "validate", "--config", file]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain("not the one the 1 enrolled credentials were hashed with");
    chmodSync(join(dir, "secrets.yaml"), 0o644);
    const loose = await runCli(["config", "validate", file, "--json"]);
    expect(loose.code).toBe(1);
    expect(JSON.parse(loose.stdout)).toMatchObject({ ok: false, secrets: { ok: false } });
    expect(loose.stdout).toContain("chmod 600");
  }, 60_000);

  it("the control socket unreachable exits 3; a station file that is not there exits 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cfg-"));
    const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1" });
    const down = await runCli(["door", "fire-reset", "--config", file]);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain("no station answers on");
    const missing = await runCli(["selftest", "--config", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(STACK);
  }, 60_000);

  it("the commands that used to read their own options are commander's now: refused words say why", async () => {
    // options commander knows for each: an unknown one is exit 2, its name in the message
    for (const args of [
      ["run", "--nope"],
      ["demo", "--nope"],
      ["selftest", "--nope"],
      ["door", "fire-reset", "--nope"],
      ["sim", "state", "--nope"],
      ["provision", "--nope"],
      ["contract", "asyncapi", "--nope"],
      ["power", "swap", "--nope"],
      ["face", "forget", "p-1", "--nope"],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain("unknown option '--nope'");
    }
    // their own checks, as before: a reason, no stack trace
    for (const [args, says] of [
      [["lock", "safe"], "lock safe --config FILE"],
      [["run"], "run needs --config FILE"],
      [["door", "frob"], "Allowed choices are fire-reset"],
      [["demo", "--console-port", "eighty"], '--console-port is a port, 0 to 65535: "eighty"'],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toContain(says);
      expect(r.stderr).not.toMatch(STACK);
    }
  }, 60_000);
});
