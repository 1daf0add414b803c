import { type KeyObject, verify } from "node:crypto";
import { parseEd25519PublicKey } from "../../config/sections/remote.ts";

export interface PinnedKey {
  kid: string;
  publicKey: string;
  retired: boolean;
}

export type VerifyOutcome = "ok" | "UNKNOWN_KEY" | "RETIRED_KEY" | "BAD_SIGNATURE";

/** The central server's pinned Ed25519 keys. Only these verify anything. */
export class KeyRing {
  private readonly keys = new Map<string, { key: KeyObject; retired: boolean }>();

  constructor(pinned: readonly PinnedKey[]) {
    for (const p of pinned) {
      const key = parseEd25519PublicKey(p.publicKey);
      // The config schema already refused keys that do not parse; skip rather than trust one.
      if (key) this.keys.set(p.kid, { key, retired: p.retired });
    }
  }

  /** Ed25519 over exactly `bytes` (no pre-hash, no context): what `openssl pkeyutl -sign -rawin` makes. */
  verify(kid: string, bytes: Buffer, signature: Buffer): VerifyOutcome {
    const entry = this.keys.get(kid);
    if (!entry) return "UNKNOWN_KEY";
    if (entry.retired) return "RETIRED_KEY";
    if (signature.length !== 64) return "BAD_SIGNATURE";
    try {
      return verify(null, bytes, entry.key, signature) ? "ok" : "BAD_SIGNATURE";
    } catch {
      return "BAD_SIGNATURE";
    }
  }

  get kids(): { kid: string; retired: boolean }[] {
    return [...this.keys].map(([kid, e]) => ({ kid, retired: e.retired }));
  }
}
