import { describe, expect, it, vi } from "vitest";
import { exactTopK } from "./exact.ts";
import { Gallery } from "./gallery.ts";
import type { SimdVectors } from "./simd-vectors.ts";
import { SyntheticPopulation } from "./synthetic-population.ts";
import { cosine } from "./vector.ts";

const DIM = 1024;

describe("face gallery", () => {
  it("exact scans agree with a plain float64 dot product", () => {
    const pop = new SyntheticPopulation(DIM, 8, 3);
    const g = new Gallery(DIM, undefined, 8);
    const people = Array.from({ length: 40 }, () => pop.person());
    for (const [i, p] of people.entries()) g.add(`p${i}`, p);
    const q = pop.capture(people[17] as Float32Array);
    const want = exactTopK(Float32Array.from(people.flatMap((p) => [...p])), 40, DIM, q, 1)[0];
    expect(g.exact(q)).toEqual({ personId: "p17", similarity: expect.closeTo(want?.similarity ?? 0, 5) });
    expect(g.identify(q)?.personId).toBe("p17");
    expect(g.verify("p17", q)).toBeCloseTo(cosine(q, people[17] as Float32Array), 5);
  });

  it("past indexFrom the index answers 1:N as the exact scan does; removed people are never found", () => {
    const pop = new SyntheticPopulation(DIM, 32, 5);
    const n = 6000;
    const g = new Gallery(DIM, { indexFrom: 2000, shortlist: 64, codeBits: 512 }, n);
    const people = Array.from({ length: n }, () => pop.person());
    g.addMany(people.map((embedding, i) => ({ personId: `p${i}`, embedding })));
    // past indexFrom the coarse stage runs (not a silent fall-back to the exact scan)
    const coarse = vi.spyOn((g as unknown as { store: SimdVectors }).store, "nearestCodes");
    let same = 0;
    const probes = Array.from({ length: 150 }, (_, i) => pop.capture(people[(i * 37) % n] as Float32Array));
    for (const q of probes) if (g.identify(q)?.personId === g.exact(q)?.personId) same++;
    expect(same / probes.length).toBeGreaterThanOrEqual(0.99);
    expect(coarse).toHaveBeenCalledTimes(probes.length);
    // an enrolment is matchable at once (the unindexed tail), a removal at once too
    const late = pop.person();
    g.add("late", late);
    expect(g.identify(pop.capture(late))?.personId).toBe("late");
    const q = pop.capture(people[37] as Float32Array);
    expect(g.identify(q)?.personId).toBe("p37");
    expect(g.remove("p37")).toBe(1);
    expect(g.identify(q)?.personId).not.toBe("p37");
    expect(g.exact(q)?.personId).not.toBe("p37");
    expect(g.has("p37")).toBe(false);
  }, 60_000);
});
