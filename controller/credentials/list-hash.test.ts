import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryLine, type HashedEntry, ListHash } from "./list-hash.ts";

/** The doc's definition, written the slow and obvious way: BigInt sum of digests mod 2^256. */
function reference(adds: HashedEntry[], removes: HashedEntry[]): string {
  const d = (e: HashedEntry) =>
    BigInt(`0x${createHash("sha256").update(entryLine(e), "utf8").digest("hex")}`);
  const mod = 1n << 256n;
  let v = 0n;
  for (const e of adds) v = (v + d(e)) % mod;
  for (const e of removes) v = (((v - d(e)) % mod) + mod) % mod;
  return v.toString(16).padStart(64, "0");
}

const entryArb: fc.Arbitrary<HashedEntry> = fc.record({
  credential: fc.stringMatching(/^[0-9a-f]{64}$/),
  personId: fc.string({ minLength: 1, maxLength: 12 }),
  role: fc.constantFrom("worker", "technician", "admin"),
  status: fc.constantFrom("active", "blocked", "lost"),
  validFrom: fc.option(fc.nat(), { nil: undefined }),
  validUntil: fc.option(fc.nat(), { nil: undefined }),
  schedule: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
  secondFactor: fc.boolean(),
});

describe("ListHash: the sum of SHA-256 digests mod 2^256, in 32-bit lanes", () => {
  it("equals the BigInt definition for any adds and removes, in any order", () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { maxLength: 40 }),
        fc.array(entryArb, { maxLength: 40 }),
        (adds, removes) => {
          const h = new ListHash();
          for (const e of adds) h.add(e);
          for (const e of removes) h.remove(e);
          expect(h.hex()).toBe(reference(adds, removes));
          const r = new ListHash();
          for (const e of [...removes].reverse()) r.remove(e);
          for (const e of [...adds].reverse()) r.add(e);
          expect(r.hex()).toBe(h.hex());
        },
      ),
    );
  });

  it("round-trips through hex and keeps counting from there (a delta on the stored hash)", () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 20 }), entryArb, (base, extra) => {
        const h = new ListHash();
        for (const e of base) h.add(e);
        const resumed = ListHash.fromHex(h.hex());
        resumed.add(extra);
        expect(resumed.hex()).toBe(reference([...base, extra], []));
      }),
    );
  });

  it("wraps modulo 2^256: removing from the empty list, then adding back, is zero", () => {
    const e = {
      credential: "f".repeat(64),
      personId: "p",
      role: "worker",
      status: "active",
      secondFactor: false,
    };
    const h = new ListHash();
    h.remove(e);
    expect(h.hex()).toBe(reference([], [e]));
    h.add(e);
    expect(h.hex()).toBe("0".repeat(64));
  });

  it("folds carries and borrows mid-run as well as at the end", () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { minLength: 5, maxLength: 30 }),
        fc.array(entryArb, { maxLength: 30 }),
        (adds, removes) => {
          const h = new ListHash(3);
          for (const e of adds) h.add(e);
          for (const e of removes) h.remove(e);
          expect(h.hex()).toBe(reference(adds, removes));
        },
      ),
    );
  });
});
