import * as crypto from "node:crypto";

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
  return `${e.credential}\n${e.personId}\n${e.role}\n${e.status}\n${e.validFrom ?? ""}\n${e.validUntil ?? ""}\n${e.schedule ?? ""}\n${e.secondFactor ? "1" : "0"}`;
}

// Node ≥ 20.12 has the one-shot crypto.hash, a third cheaper than createHash().update().digest()
// for a short line (no Hash object per entry); older Node falls back.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: "buffer") => Buffer }).hash;
const sha256 = oneShot
  ? (line: string) => oneShot("sha256", line, "buffer")
  : (line: string) => crypto.createHash("sha256").update(line, "utf8").digest();

const LANES = 8;
const BASE = 2 ** 32;
// Each lane takes at most 2^32 per add; a double is exact to 2^53, so carries are folded in
// well before 2^21 adds.
const FOLD_EVERY = 1 << 20;

/**
 * An order-independent hash of a set of entries: the sum of their SHA-256 digests (as 256-bit
 * big-endian numbers) modulo 2^256. Any order gives the same value, and a delta updates it
 * without a scan: subtract the old entry's digest, add the new one's.
 *
 * The sum is kept as eight 32-bit lanes in doubles, carries folded in only now and then: a
 * BigInt per entry (parse the hex digest, add, reduce) cost more than the SHA-256 itself over a
 * million entries (docs/design-notes.md).
 */
export class ListHash {
  private readonly lanes = new Float64Array(LANES);
  private pending = 0;

  /** `foldEvery` is for tests; any value up to 2^21 keeps every lane exact. */
  constructor(private readonly foldEvery = FOLD_EVERY) {}

  static fromHex(hex: string): ListHash {
    const h = new ListHash();
    const padded = (hex || "0").padStart(64, "0");
    for (let k = 0; k < LANES; k++) h.lanes[k] = Number.parseInt(padded.slice(k * 8, k * 8 + 8), 16);
    return h;
  }

  /** Add another list's hash (64 hex): the hash of the union of two disjoint lists. */
  addSum(hex: string): void {
    const other = ListHash.fromHex(hex);
    for (let k = 0; k < LANES; k++) this.lanes[k] = (this.lanes[k] ?? 0) + (other.lanes[k] ?? 0);
    if (++this.pending >= this.foldEvery) this.fold();
  }

  add(e: HashedEntry): void {
    this.addDigest(sha256(entryLine(e)), 1);
  }

  remove(e: HashedEntry): void {
    this.addDigest(sha256(entryLine(e)), -1);
  }

  hex(): string {
    this.fold();
    let out = "";
    for (let k = 0; k < LANES; k++) out += (this.lanes[k] ?? 0).toString(16).padStart(8, "0");
    return out;
  }

  private addDigest(d: Buffer, sign: 1 | -1): void {
    const l = this.lanes;
    for (let k = 0; k < LANES; k++) l[k] = (l[k] ?? 0) + sign * d.readUInt32BE(k * 4);
    if (++this.pending >= this.foldEvery) this.fold();
  }

  /** Carry (or borrow) from the least significant lane up; what leaves the top is mod 2^256. */
  private fold(): void {
    const l = this.lanes;
    let carry = 0;
    for (let k = LANES - 1; k >= 0; k--) {
      const v = (l[k] ?? 0) + carry;
      carry = Math.floor(v / BASE);
      l[k] = v - carry * BASE;
    }
    this.pending = 0;
  }
}
