import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSecretsFile } from "../config/secrets.ts";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";
import { credentialKeyFingerprint } from "../device/identity/hasher.ts";
import { runCli, StationProcess } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";

/**
 * Replacing the credential key must not leave every card `unknown` without a word: the store
 * keeps the fingerprint of the key its hashes were made with, and a start with another key
 * stops with what happened and what to do.
 */
const record = (i: number) => ({
  credential: createHash("sha256").update(String(i)).digest("hex"),
  personId: `p${i}`,
  role: "worker" as const,
  status: "active" as const,
  secondFactor: false,
});

describe("the credential key's fingerprint", () => {
  it("is HMAC-SHA256 of a fixed label, first 16 hex (vectors from Python's hmac module)", () => {
    expect(credentialKeyFingerprint("00".repeat(32))).toBe("8c9c97d00863560e");
    expect(credentialKeyFingerprint("ab".repeat(32))).toBe("251ed7cc6ac6e62e");
  });

  it("is recorded by the first start, accepted again, and refused for another key", () => {
    const file = join(mkdtempSync(join(tmpdir(), "ws-key-")), "credentials.db");
    const store = new SqliteCredentialStore(file);
    store.open();
    store.upsert([record(1), record(2)]);
    store.checkKeyFingerprint(credentialKeyFingerprint("ab".repeat(32)));
    store.close();
    const again = new SqliteCredentialStore(file);
    again.open();
    expect(() => again.checkKeyFingerprint(credentialKeyFingerprint("ab".repeat(32)))).not.toThrow();
    let err: unknown;
    try {
      again.checkKeyFingerprint(credentialKeyFingerprint("cd".repeat(32)));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: "CREDENTIAL_KEY_MISMATCH",
      details: { stored: "251ed7cc6ac6e62e", current: credentialKeyFingerprint("cd".repeat(32)) },
    });
    again.close();
  });

  it("an empty store simply takes the new key", () => {
    const store = new SqliteCredentialStore(join(mkdtempSync(join(tmpdir(), "ws-key-")), "credentials.db"));
    store.open();
    store.checkKeyFingerprint(credentialKeyFingerprint("ab".repeat(32)));
    expect(() => store.checkKeyFingerprint(credentialKeyFingerprint("cd".repeat(32)))).not.toThrow();
    store.upsert([record(1)]);
    expect(() => store.checkKeyFingerprint(credentialKeyFingerprint("ab".repeat(32)))).toThrow();
    store.close();
  });
});

describe("a station started with a replaced credential key", () => {
  let proc: StationProcess | undefined;
  afterEach(() => proc?.kill());

  it("stops with what happened and what to do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-key-e2e-"));
    const file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      allowUid: "04A1B2C3",
    });
    proc = new StationProcess(["run", "--config", file]);
    await proc.waitForLog("station ready");
    proc.kill("SIGTERM");
    expect(await proc.exit()).toBe(0);

    rmSync(join(dir, "secrets.yaml"));
    const fresh = createSecretsFile(join(dir, "secrets.yaml"));
    proc = new StationProcess(["run", "--config", file]);
    expect(await proc.exit()).toBe(1);
    expect(proc.stderr).toContain("hashed with another credential key");
    expect(proc.stderr).toContain(
      `the secrets file's key has fingerprint ${credentialKeyFingerprint(fresh.credentialKey)}`,
    );
    expect(proc.stderr).toContain(
      "hint: if the key in the secrets file was replaced by mistake, restore the fleet's key",
    );
    expect(proc.stderr).not.toMatch(/\n\s+at /);
    // nor does the credentials command enrol a card under the other key
    const add = await runCli(["credentials", "add", "04A1B2C4", "--config", file, "--person", "p2"]);
    expect(add.code).toBe(1);
    expect(add.stderr).toContain("hashed with another credential key");
  });
});
