import { createHmac } from "node:crypto";
import type { CredentialKind } from "../ports/card-reader.ts";

/**
 * Turns a raw identifier into the keyed hash used everywhere else. The kind is part of the
 * input so that a Wiegand number and a card UID with the same digits never collide.
 */
export type IdentifierHasher = (kind: CredentialKind, raw: Uint8Array) => string;

export function createIdentifierHasher(credentialKeyHex: string): IdentifierHasher {
  const key = Buffer.from(credentialKeyHex, "hex");
  return (kind, raw) => keyedHash(key, kind, raw);
}

function keyedHash(key: Buffer, kind: CredentialKind, raw: Uint8Array): string {
  return createHmac("sha256", key).update(kind).update(":").update(raw).digest("hex");
}

/**
 * The hasher during a credential key rotation: identifiers are hashed under the current key as
 * always and, while a next key is set, under it too (`alternates`), at the port, so the raw
 * identifier still never leaves the driver. `promote` makes the next key the current one.
 */
export interface RotatingHasher extends IdentifierHasher {
  alternates(kind: CredentialKind, raw: Uint8Array): string[];
  setNext(keyHex: string | undefined): void;
  promote(): void;
  readonly rotating: boolean;
}

export function createRotatingHasher(credentialKeyHex: string): RotatingHasher {
  let current: Buffer = Buffer.from(credentialKeyHex, "hex");
  let next: Buffer | undefined;
  const hasher = ((kind: CredentialKind, raw: Uint8Array) => keyedHash(current, kind, raw)) as RotatingHasher;
  Object.defineProperty(hasher, "rotating", { get: () => next !== undefined });
  hasher.alternates = (kind, raw) => (next ? [keyedHash(next, kind, raw)] : []);
  hasher.setNext = (keyHex) => {
    next?.fill(0);
    next = keyHex === undefined ? undefined : Buffer.from(keyHex, "hex");
  };
  hasher.promote = () => {
    if (!next) return;
    current.fill(0);
    current = next;
    next = undefined;
  };
  return hasher;
}

/** The `alternates` of a read, for a driver to spread into what it emits (nothing outside a rotation). */
export function alternatesOf(
  hasher: IdentifierHasher,
  kind: CredentialKind,
  raw: Uint8Array,
): { alternates?: readonly string[] } {
  const more = (hasher as Partial<RotatingHasher>).alternates?.(kind, raw);
  return more && more.length > 0 ? { alternates: more } : {};
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
