import { createHash } from "node:crypto";

/** The fields of a list entry that its hash covers, as the station stores them. */
export interface HashedEntry {
  credential: string;
  personId: string;
  role: string;
  status: string;
  validFrom?: number | null | undefined;
  validUntil?: number | null | undefined;
  schedule?: string | null | undefined;
  secondFactor: boolean;
}

/**
 * The entry's line, as docs/central-integration.md specifies it: the eight fields in this order,
 * joined by "\n", an absent field as the empty string, secondFactor as 0 or 1.
 */
export function entryLine(e: HashedEntry): string {
  return [
    e.credential,
    e.personId,
    e.role,
    e.status,
    e.validFrom ?? "",
    e.validUntil ?? "",
    e.schedule ?? "",
    e.secondFactor ? "1" : "0",
  ].join("\n");
}

const MOD = 1n << 256n;

export function entryDigest(e: HashedEntry): bigint {
  return BigInt(`0x${createHash("sha256").update(entryLine(e), "utf8").digest("hex")}`);
}

/**
 * An order-independent hash of a set of entries: the sum of their SHA-256 digests (as 256-bit
 * big-endian numbers) modulo 2^256. Any order gives the same value, and a delta updates it
 * without a scan: subtract the old entry's digest, add the new one's.
 */
export class ListHash {
  constructor(private value = 0n) {}

  static fromHex(hex: string): ListHash {
    return new ListHash(BigInt(`0x${hex || "0"}`));
  }

  add(e: HashedEntry): void {
    this.value = (this.value + entryDigest(e)) % MOD;
  }

  remove(e: HashedEntry): void {
    this.value = (this.value - entryDigest(e) + MOD) % MOD;
  }

  hex(): string {
    return this.value.toString(16).padStart(64, "0");
  }
}
