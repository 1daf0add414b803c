import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./support/child.ts";

/**
 * `central` and `bench` on commander: their subcommands and options in --help, a command line not
 * understood exits 2 naming the word, a value refused exits 1, never a stack trace. Nothing here
 * needs a broker (test/central-cli.e2e.test.ts sends through a real Mosquitto).
 */
const STACK = /\n\s+at /;
const HASH = "ab".repeat(32);

describe("waystation central and bench on commander", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-central-cmd-"));
  const key = join(dir, "ops-1.key");
  const common = ["--key", key, "--kid", "ops-1", "--station", "st-1"];
  beforeAll(async () => {
    const r = await runCli(["central", "keygen", "--kid", "ops-1", "--out", dir, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, kid: "ops-1", privateFile: key });
  });

  it("--help shows each verb's options", async () => {
    const c = await runCli(["central", "--help"]);
    for (const verb of ["keygen", "list", "sign", "send", "seal-key"])
      expect(c.stdout).toMatch(new RegExp(`^  ${verb} `, "m"));
    expect((await runCli(["central", "list", "--help"])).stdout).toContain("--key-fingerprint <fp>");
    expect((await runCli(["central", "send", "--help"])).stdout).toContain("MQTT_PASSWORD");
    const b = await runCli(["bench", "--help"]);
    expect(b.stdout).toContain("--quick");
    expect(b.stdout).toContain("--json");
  });

  it("a command line not understood exits 2 with the word named, no stack trace", async () => {
    for (const [args, says] of [
      [["central", "sign", "unlock", ...common, "--lifetime", "soon"], "'--lifetime <s>' argument 'soon'"],
      [["central", "send", "unlock", ...common], "'--broker <url>' not specified"],
      [["central", "send", "unlock", ...common, "--broker", "mqtt://x", "--timeout", "-1"], "--timeout"],
      [["central", "sign", ...common], "missing required argument 'name'"],
      [["central", "sign", "unlock", ...common, "--nope"], "unknown option '--nope'"],
      [
        ["central", "list", "partial", ...common, "--version", "1", "--entries", "x"].concat([
          "--key-fingerprint",
          "0123456789abcdef",
        ]),
        "Allowed choices are full, delta",
      ],
      [
        ["central", "list", "full", ...common, "--version", "1", "--entries", "x", "--key-fingerprint", "ab"],
        "--key-fingerprint",
      ],
      [
        ["central", "list", "delta", ...common, "--version", "2", "--entries", "x"].concat([
          "--key-fingerprint",
          "0123456789abcdef",
        ]),
        "needs --base N and --previous",
      ],
      [["central", "frob"], "unknown command 'frob'"],
      [["bench", "--quik"], "unknown option '--quik'"],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(says);
      expect(r.stderr).toContain("hint:");
      expect(r.stderr).not.toMatch(STACK);
    }
  });

  it("a value refused exits 1 with a reason: a key that exists, a file that is not a key, bad --args", async () => {
    const pub = join(dir, "ops-1.pub");
    const before = readFileSync(key, "utf8");
    for (const [args, says] of [
      [["central", "keygen", "--kid", "ops-1", "--out", dir], "already in"],
      [
        ["central", "sign", "unlock", "--key", pub, "--kid", "ops-1", "--station", "st-1"],
        "not a private key",
      ],
      [["central", "sign", "unlock", ...common, "--args", "[1]"], "--args must be a JSON object"],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toContain(says);
      expect(r.stderr).not.toMatch(STACK);
    }
    expect(readFileSync(key, "utf8")).toBe(before);
  });

  it("sign and list print messages signed by the key, with the options given", async () => {
    const pub = createPublicKey(readFileSync(join(dir, "ops-1.pub"), "utf8"));
    const open = (line: string) => {
      const m = JSON.parse(line) as { kid: string; envelope: string; sig: string };
      const bytes = Buffer.from(m.envelope, "base64url");
      expect(verify(null, bytes, pub, Buffer.from(m.sig, "base64url"))).toBe(true);
      return JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
    };
    const s = await runCli(["central", "sign", "passage-mode", ...common, "--args", '{"active":true}']);
    expect(s.code, s.stderr).toBe(0);
    const cmd = open(s.stdout.trim());
    expect(cmd).toMatchObject({ name: "passage-mode", station: "st-1", args: { active: true } });
    expect(Date.parse(String(cmd.expiresAt)) - Date.parse(String(cmd.issuedAt))).toBe(300_000);

    const entries = join(dir, "entries.json");
    const remove = join(dir, "remove.json");
    const entry = (i: number) => ({ credential: i.toString(16).padStart(64, "0"), personId: `p${i}` });
    writeFileSync(entries, JSON.stringify([1, 2, 3].map((i) => ({ ...entry(i), role: "worker" }))));
    writeFileSync(remove, JSON.stringify([HASH]));
    const previous = join(dir, "previous.json");
    writeFileSync(previous, JSON.stringify([{ credential: HASH, personId: "old", role: "worker" }]));
    const l = await runCli(
      ["central", "list", "delta", ...common, "--version", "7", "--base", "6", "--previous", previous]
        .concat(["--entries", entries, "--remove", remove, "--key-fingerprint", "0123456789abcdef"])
        .concat(["--chunk", "2", "--lifetime", "60"]),
    );
    expect(l.code, l.stderr).toBe(0);
    const chunks = l.stdout.trim().split("\n").map(open);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]).toMatchObject({ type: "delta", listVersion: 7, baseVersion: 6, chunk: { count: 2 } });
    expect(chunks[1]).toMatchObject({ remove: [HASH] });
    expect(Date.parse(String(chunks[0]?.expiresAt)) - Date.parse(String(chunks[0]?.issuedAt))).toBe(60_000);
    const badRemove = join(dir, "bad-remove.json");
    writeFileSync(badRemove, '["1234"]');
    const bad = await runCli(
      ["central", "list", "delta", ...common, "--version", "7", "--base", "6", "--previous", previous].concat(
        ["--entries", entries, "--remove", badRemove, "--key-fingerprint", "0123456789abcdef"],
      ),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("not a list of credential hashes");
  });
});
