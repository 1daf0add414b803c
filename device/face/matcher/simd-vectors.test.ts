import { describe, expect, it } from "vitest";
import { SignCoder } from "./sign-codes.ts";
import { SimdVectors } from "./simd-vectors.ts";
import { SyntheticPopulation } from "./synthetic-population.ts";

const DIM = 1024;

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v !== 0; v &= v - 1) n++;
  return n;
}

/** The reference: codes made in JavaScript, distances by a plain popcount. */
function referenceDistances(rows: Float32Array[], q: Float32Array, centreOver: number): number[] {
  const coder = new SignCoder(DIM);
  const flat = new Float32Array(rows.length * DIM);
  for (const [i, r] of rows.entries()) flat.set(r, i * DIM);
  coder.recentre(flat, centreOver);
  const code = (v: Float32Array) => {
    const out = new Uint8Array(coder.bytes);
    coder.encode(v, 0, out, 0);
    return out;
  };
  const qc = code(q);
  return rows.map((r) => code(r).reduce((s, b, i) => s + popcount(b ^ (qc[i] as number)), 0));
}

describe("sign codes in WebAssembly memory", () => {
  it("the coarse stage keeps exactly the k nearest codes (skipped rows never), as a plain popcount ranks them", () => {
    const pop = new SyntheticPopulation(DIM, 4, 11);
    const rows = Array.from({ length: 300 }, () => pop.person());
    const v = new SimdVectors(DIM, 16);
    v.reserve(rows.length);
    for (const [i, r] of rows.entries()) v.put(i, r);
    v.recode(rows.length);
    const q = pop.capture(rows[42] as Float32Array);
    const ref = referenceDistances(rows, q, rows.length);
    const skip = new Set([42, 7]);
    const k = 20;
    const got = [...v.nearestCodes(q, rows.length, k, skip)];
    expect(got).toHaveLength(k);
    expect(got).not.toContain(42);
    expect(got).not.toContain(7);
    const ranked = ref
      .map((d, r) => ({ d, r }))
      .filter(({ r }) => !skip.has(r))
      .sort((a, b) => a.d - b.d || a.r - b.r);
    const kth = (ranked[k - 1] as { d: number }).d;
    // every row strictly nearer than the k-th is kept; the rest of the k are at its distance
    for (const { d, r } of ranked) if (d < kth) expect(got).toContain(r);
    for (const r of got) expect(ref[r]).toBeLessThanOrEqual(kth);
    // without skipping, the probe's own person is nearest of all
    expect([...v.nearestCodes(q, rows.length, 1, new Set())]).toEqual([42]);
  });

  it("asks for more than there are and gets every live row", () => {
    const pop = new SyntheticPopulation(DIM, 2, 3);
    const v = new SimdVectors(DIM, 16);
    for (let i = 0; i < 10; i++) v.put(i, pop.person());
    v.recode(10);
    const got = [...v.nearestCodes(pop.person(), 10, 64, new Set([3]))].sort((a, b) => a - b);
    expect(got).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
  });
});
