import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ListEntrySchema } from "../controller/contract/command-wire.ts";
import { listHash } from "../scripts/central/lists.ts";
import { mosquittoDaemon } from "./support/mosquitto.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { pinLine, STATION, useRemoteRig } from "./support/remote-station.ts";

const DOC = resolve(import.meta.dirname, "..", "docs", "central-integration.md");

/** The n-th code block in `lang` right after a "<!-- test: ... -->" marker of the doc. */
function docBlock(lang: string, nth = 0): string {
  const text = readFileSync(DOC, "utf8");
  const re = new RegExp(`<!-- test:[^>]*-->\\s*\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``, "g");
  const block = [...text.matchAll(re)][nth]?.[1];
  if (!block) throw new Error(`no tested ${lang} block #${nth} in docs/central-integration.md`);
  return block;
}

const openssl = daemon("openssl", "openssl");
/** Debian's python3 with its `cryptography` module (the test runs /usr/bin/python3). */
function pythonCryptography() {
  const d = daemon("python3 + cryptography", "python3-cryptography");
  try {
    execFileSync("/usr/bin/python3", ["-c", "import cryptography"], { stdio: "ignore" });
    return { ...d, path: "/usr/bin/python3" };
  } catch {
    return { ...d, path: undefined };
  }
}
const python = pythonCryptography();

/**
 * A command signed by an independent implementation, following only docs/central-integration.md:
 * the doc's own shell (openssl pkeyutl -rawin, basenc) and Python (`cryptography`) blocks run as
 * they are printed there, with keys openssl and Python made themselves.
 */
describe("a command signed by openssl or Python, as the doc says, is accepted", () => {
  if (!realStackAvailable(mosquittoDaemon, openssl, python)) return;

  const dir = mkdtempSync(join(tmpdir(), "ws-central-"));
  const { central } = useRemoteRig(() => [pin("ops-openssl", opensslPub), pin("ops-python", pythonPub)]);
  const run = (cmd: string, args: string[], env: Record<string, string> = {}) =>
    execFileSync(cmd, args, { cwd: dir, env: { ...process.env, ...env }, encoding: "utf8" }).trim();

  // openssl makes its key pair; Python makes its own.
  run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", "openssl.key"]);
  const opensslPub = run("openssl", ["pkey", "-in", "openssl.key", "-pubout"]);
  run("/usr/bin/python3", [
    "-c",
    [
      "from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey",
      "from cryptography.hazmat.primitives import serialization as s",
      "k = Ed25519PrivateKey.generate()",
      "open('python.key','wb').write(k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()))",
      "open('python.pub','wb').write(k.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo))",
    ].join("\n"),
  ]);
  const pythonPub = readFileSync(join(dir, "python.pub"), "utf8");
  const pin = (kid: string, pem: string) => pinLine(kid, createPublicKey(pem));

  const send = async (id: string, name: string) => {
    await central.publish(name, readFileSync(join(dir, "command.json")));
    return central.reply(id);
  };

  it("openssl pkeyutl -sign -rawin (the doc's shell block)", async () => {
    writeFileSync(join(dir, "sign.sh"), docBlock("sh"));
    const id = run("bash", ["-e", "sign.sh"], {
      STATION,
      KID: "ops-openssl",
      KEY: "openssl.key",
      NAME: "unlock",
      ARGS: "{}",
    });
    expect(await send(id, "unlock")).toMatchObject({ id, status: "ok", code: "OK" });
    await central.event("cmd.executed", (e) => e.commandId === id && e.principal === "central:ops-openssl");
    await central.event("door.unlocked");
  });

  it("Python's cryptography (the doc's Python block)", async () => {
    writeFileSync(join(dir, "sign.py"), docBlock("python"));
    const id = run("/usr/bin/python3", ["sign.py"], {
      STATION,
      KID: "ops-python",
      KEY: "python.key",
      NAME: "passage-mode",
      ARGS: '{"active": false}',
    });
    expect(await send(id, "passage-mode")).toMatchObject({ id, status: "ok", code: "OK" });
    await central.event("cmd.executed", (e) => e.commandId === id && e.principal === "central:ops-python");
  });

  it("the list hash computed by the doc's Python block equals the station's", () => {
    const entries = [
      { credential: "a".repeat(64), personId: "p-1" },
      {
        credential: "b".repeat(64),
        personId: "p-2",
        role: "technician",
        status: "blocked",
        validFrom: 1767225600000,
        validUntil: 1798761600000,
        schedule: "day",
        secondFactor: true,
      },
      { credential: "c".repeat(64), personId: "人-3", role: "admin" },
    ];
    writeFileSync(join(dir, "entries.json"), JSON.stringify(entries));
    writeFileSync(join(dir, "hash.py"), docBlock("python", 1));
    const fromDoc = run("/usr/bin/python3", ["hash.py"], { ENTRIES: "entries.json" });
    const parsed = entries.map((e) => ListEntrySchema.parse(e));
    expect(fromDoc).toBe(listHash(parsed));
    expect(fromDoc).toBe(listHash([...parsed].reverse()));
  });

  it("the same doc block with a wrong key is refused (the test can fail)", async () => {
    run("openssl", ["genpkey", "-algorithm", "ed25519", "-out", "other.key"]);
    const id = run("bash", ["-e", "sign.sh"], {
      STATION,
      KID: "ops-openssl",
      KEY: "other.key",
      NAME: "unlock",
      ARGS: "{}",
    });
    expect(await send(id, "unlock")).toMatchObject({ id, status: "error", code: "BAD_SIGNATURE" });
  });
});
