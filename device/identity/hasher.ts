import { createHmac } from "node:crypto";
import type { CredentialKind } from "../ports/card-reader.ts";

/**
 * Turns a raw identifier into the keyed hash used everywhere else. The kind is part of the
 * input so that a Wiegand number and a card UID with the same digits never collide.
 */
export type IdentifierHasher = (kind: CredentialKind, raw: Uint8Array) => string;

export function createIdentifierHasher(credentialKeyHex: string): IdentifierHasher {
  const key = Buffer.from(credentialKeyHex, "hex");
  return (kind, raw) => createHmac("sha256", key).update(kind).update(":").update(raw).digest("hex");
}

/** Parses a hex identifier as printed on enrolment sheets ("04A1B2C3", "04:a1:b2:c3"). */
export function parseHexIdentifier(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s:-]/g, "");
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return Buffer.from(clean, "hex");
}

/**
 * Names a credential key without revealing it: the first 16 hex digits of HMAC-SHA256(key,
 * a fixed label). The credential store keeps the fingerprint of the key its hashes were made
 * with, so a replaced key is noticed at start instead of leaving every card `unknown`. The label
 * starts with none of the identifier kinds, so it can never equal a credential's hash input.
 */
export function credentialKeyFingerprint(credentialKeyHex: string): string {
  return createHmac("sha256", Buffer.from(credentialKeyHex, "hex"))
    .update("waystation credential-key fingerprint v1")
    .digest("hex")
    .slice(0, 16);
}
