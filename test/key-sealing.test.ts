import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { newStationKeyDer } from "../config/secrets.ts";
import {
  openSealedKey,
  SealedKeySchema,
  sealCredentialKey,
  stationPublicKey,
} from "../controller/remote/sealed-key.ts";
import { pythonCryptography } from "./support/python-cryptography.ts";
import { realStackAvailable } from "./support/real-stack.ts";

const DOC = resolve(import.meta.dirname, "..", "docs", "central-integration.md");

/** The doc's sealing block: the code block right after its "test/key-sealing.test.ts" marker. */
function sealingBlock(): string {
  const text = readFileSync(DOC, "utf8");
  const m = /<!-- test:[^>]*key-sealing\.test\.ts[^>]*-->\s*```python\n([\s\S]*?)\n```/.exec(text);
  if (!m?.[1]) throw new Error("no sealing block in docs/central-integration.md");
  return m[1];
}

const python = pythonCryptography();

describe("a next credential key sealed to the station's X25519 key", () => {
  const stationKey = newStationKeyDer();
  const key = randomBytes(32).toString("hex");

  it("opens on its station only, and not once tampered with", () => {
    const sealed = sealCredentialKey("st-1", stationPublicKey(stationKey), key);
    expect(openSealedKey(stationKey, "st-1", sealed)).toBe(key);
    expect(openSealedKey(stationKey, "st-2", sealed)).toBeUndefined();
    expect(openSealedKey(newStationKeyDer(), "st-1", sealed)).toBeUndefined();
    const flipped = Buffer.from(sealed.ciphertext, "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(
      openSealedKey(stationKey, "st-1", { ...sealed, ciphertext: flipped.toString("base64url") }),
    ).toBeUndefined();
  });

  describe("sealed by Python's cryptography, following only the doc", () => {
    if (!realStackAvailable(python)) return;
    it("the station opens what the doc's block seals", () => {
      const out = execFileSync(python.path as string, ["-c", sealingBlock()], {
        env: { ...process.env, STATION: "st-1", STATION_PUB: stationPublicKey(stationKey), KEY: key },
        encoding: "utf8",
      });
      const sealed = SealedKeySchema.parse(JSON.parse(out));
      expect(openSealedKey(stationKey, "st-1", sealed)).toBe(key);
      expect(openSealedKey(stationKey, "st-9", sealed)).toBeUndefined();
    });
  });
});
