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
