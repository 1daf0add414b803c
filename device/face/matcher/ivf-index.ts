import { TopK } from "./exact.ts";

export interface IvfOptions {
  /** dimensions of the sparse random projection the coarse quantiser runs in */
  readonly projected: number;
  /** non-zero entries per projected dimension */
  readonly density: number;
  /** lists probed per query */
  readonly nprobe: number;
  /** k-means iterations when building */
  readonly iterations: number;
  readonly seed: number;
}

export const DEFAULT_IVF: IvfOptions = {
  projected: 64,
  density: 48,
  nprobe: 48,
  iterations: 6,
  seed: 0x5eed,
};

/** A small deterministic PRNG (mulberry32): the projection must be the same on every build. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An inverted-file index for 1:N face search whose answers carry exact similarities:
 *
 * 1. a coarse quantiser: each template is reduced by a sparse random projection (1,024 -> 64
 *    dimensions, 48 signed taps each: 3,000 additions instead of 65,000 multiplications) and
 *    spherical k-means in that space puts it into one of ~sqrt(N) lists;
 * 2. a probe is reduced the same way and the `nprobe` nearest lists are chosen: `candidates()`
 *    returns their rows, which the gallery ranks on int8 codes and re-scores exactly on float32
 *    (gallery.ts, simd-vectors.ts).
 *
 * So a threshold means what it means with a plain scan; what the index can get wrong is leave the
 * true best row in a list it did not probe, which the bench measures as recall
 * (docs/design-notes.md, "Face verification").
 */
export class IvfIndex {
  private readonly taps: Int32Array;
  private readonly signs: Float32Array;
  private centroids = new Float32Array(0);
  private lists = 0;
  private listStart = new Int32Array(1);
  private order = new Int32Array(0);
  private rows = 0;

  constructor(
    private readonly dim: number,
    private readonly opts: IvfOptions = DEFAULT_IVF,
  ) {
    const next = mulberry32(opts.seed);
    const n = opts.projected * opts.density;
    this.taps = new Int32Array(n);
    this.signs = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      this.taps[i] = Math.floor(next() * dim);
      this.signs[i] = next() < 0.5 ? -1 : 1;
    }
  }

  get size(): number {
    return this.rows;
  }

  /** Build over the first `rows` rows of `vectors` (unit length, flat). */
  build(vectors: Float32Array, rows: number): void {
    const p = this.opts.projected;
    const projected = new Float32Array(rows * p);
    for (let r = 0; r < rows; r++) this.project(vectors, r * this.dim, projected, r * p);
    this.lists = Math.max(1, Math.min(4096, Math.round(Math.sqrt(rows))));
    this.centroids = kmeans(
      projected,
      rows,
      p,
      this.lists,
      this.opts.iterations,
      mulberry32(this.opts.seed + 1),
    );
    const assign = new Int32Array(rows);
    const counts = new Int32Array(this.lists + 1);
    for (let r = 0; r < rows; r++) {
      const c = nearest(this.centroids, this.lists, p, projected, r * p);
      assign[r] = c;
      counts[c + 1] = (counts[c + 1] as number) + 1;
    }
    for (let c = 0; c < this.lists; c++) counts[c + 1] = (counts[c + 1] as number) + (counts[c] as number);
    this.listStart = counts.slice();
    const fill = counts.slice();
    this.order = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const c = assign[r] as number;
      const at = fill[c] as number;
      fill[c] = at + 1;
      this.order[at] = r;
    }
    this.rows = rows;
  }

  private scratch = new Int32Array(0);

  /** The rows in the lists nearest to the probe: these are then scored exactly. */
  candidates(q: Float32Array): { ids: Int32Array; n: number } {
    if (this.rows === 0) return { ids: this.scratch, n: 0 };
    const p = this.opts.projected;
    const qp = new Float32Array(p);
    this.project(q, 0, qp, 0);
    const probe = new TopK(Math.min(this.opts.nprobe, this.lists));
    for (let c = 0; c < this.lists; c++) {
      let s = 0;
      const o = c * p;
      for (let i = 0; i < p; i++) s += (this.centroids[o + i] as number) * (qp[i] as number);
      probe.offer(c, s);
    }
    let n = 0;
    for (const { row: list } of probe.sorted())
      n += (this.listStart[list + 1] as number) - (this.listStart[list] as number);
    if (this.scratch.length < n) this.scratch = new Int32Array(n * 2);
    let at = 0;
    for (const { row: list } of probe.sorted()) {
      const from = this.listStart[list] as number;
      const to = this.listStart[list + 1] as number;
      this.scratch.set(this.order.subarray(from, to), at);
      at += to - from;
    }
    return { ids: this.scratch, n };
  }

  private project(x: Float32Array, xo: number, out: Float32Array, oo: number): void {
    const d = this.opts.density;
    for (let j = 0; j < this.opts.projected; j++) {
      let s = 0;
      const t = j * d;
      for (let i = 0; i < d; i++)
        s += (x[xo + (this.taps[t + i] as number)] as number) * (this.signs[t + i] as number);
      out[oo + j] = s;
    }
  }
}

function nearest(centroids: Float32Array, lists: number, p: number, x: Float32Array, o: number): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < lists; c++) {
    let s = 0;
    const co = c * p;
    for (let i = 0; i < p; i++) s += (centroids[co + i] as number) * (x[o + i] as number);
    if (s > bestScore) {
      bestScore = s;
      best = c;
    }
  }
  return best;
}

/** Spherical k-means on a sample (at most 32 rows a list), seeded from random rows. */
function kmeans(x: Float32Array, rows: number, p: number, k: number, iterations: number, next: () => number) {
  const sample = Math.min(rows, k * 32);
  const pick = new Int32Array(sample);
  for (let i = 0; i < sample; i++) pick[i] = Math.floor(next() * rows);
  const c = new Float32Array(k * p);
  for (let j = 0; j < k; j++) {
    const r = pick[Math.floor(next() * sample)] as number;
    c.set(x.subarray(r * p, (r + 1) * p), j * p);
  }
  const sums = new Float32Array(k * p);
  for (let it = 0; it < iterations; it++) {
    sums.fill(0);
    for (let i = 0; i < sample; i++) {
      const o = (pick[i] as number) * p;
      const j = nearest(c, k, p, x, o);
      for (let d = 0; d < p; d++) sums[j * p + d] = (sums[j * p + d] as number) + (x[o + d] as number);
    }
    for (let j = 0; j < k; j++) {
      let n = 0;
      for (let d = 0; d < p; d++) n += (sums[j * p + d] as number) ** 2;
      // an empty list keeps its old centre
      if (n === 0) continue;
      const inv = 1 / Math.sqrt(n);
      for (let d = 0; d < p; d++) c[j * p + d] = (sums[j * p + d] as number) * inv;
    }
  }
  return c;
}
