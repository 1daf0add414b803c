import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { newStationKeyDer } from "../../config/secrets.ts";
import { createRotatingHasher, credentialKeyFingerprint } from "../../device/identity/hasher.ts";
import { KeyRotation } from "./key-rotation.ts";
import { sealCredentialKey, stationPublicKey } from "./sealed-key.ts";

const uid = Buffer.from("04a1b2c3", "hex");

function rig(credentialKey: string, stationKey: string, dataDir: string) {
  const fps: { current?: string; next?: string } = {};
  const store = {
    keyFingerprints: () => fps,
    setKeyFingerprints(current: string, next: string | undefined) {
      fps.current = current;
      if (next) fps.next = next;
      else delete fps.next;
    },
  };
  const hasher = createRotatingHasher(credentialKey);
  const rotation = new KeyRotation({
    stationId: "st-1",
    dataDir,
    secretsFile: join(dataDir, "secrets.yaml"),
    credentialKey,
    stationKey,
    hasher,
    store,
    log: pino({ level: "silent" }),
  });
  return { rotation, hasher, fps };
}

describe("credential key rotation after a stop in the middle", () => {
  const stationKey = newStationKeyDer();
  const oldKey = randomBytes(32).toString("hex");
  const nextKey = randomBytes(32).toString("hex");
  const sealed = sealCredentialKey("st-1", stationPublicKey(stationKey), nextKey);

  const pending = (dir: string) =>
    writeFileSync(
      join(dir, "credential-key-rotation.json"),
      JSON.stringify({
        fingerprint: credentialKeyFingerprint(nextKey),
        sealed,
        since: "2026-12-01T00:00:00Z",
      }),
    );

  it("a window reopens at start: both keys hash", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-"));
    pending(dir);
    const { rotation, hasher } = rig(oldKey, stationKey, dir);
    rotation.recover();
    expect(rotation.status().next).toBe(credentialKeyFingerprint(nextKey));
    expect(hasher.alternates("card-uid", uid)).toHaveLength(1);
  });

  it("stopped after the secrets file took the new key: the rotation is finished, not reopened", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-rot-"));
    pending(dir);
    const { rotation, hasher, fps } = rig(nextKey, stationKey, dir);
    rotation.recover();
    expect(rotation.status()).toMatchObject({ current: credentialKeyFingerprint(nextKey), next: null });
    expect(fps).toEqual({ current: credentialKeyFingerprint(nextKey) });
    expect(hasher.alternates("card-uid", uid)).toEqual([]);
    expect(existsSync(join(dir, "credential-key-rotation.json"))).toBe(false);
  });
});
