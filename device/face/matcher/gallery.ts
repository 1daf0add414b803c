import { TopK } from "./exact.ts";
import { DEFAULT_IVF, IvfIndex, type IvfOptions } from "./ivf-index.ts";
import { SimdVectors } from "./simd-vectors.ts";

export interface GalleryMatch {
  readonly personId: string;
  readonly similarity: number;
}

export interface GalleryOptions {
  /** below this many templates a plain exact scan is fast enough (and exact) */
  readonly indexFrom: number;
  /** candidates (ranked on int8 codes) re-scored exactly on float32 */
  readonly rerank: number;
  readonly ivf: IvfOptions;
}

export const DEFAULT_GALLERY: GalleryOptions = { indexFrom: 4096, rerank: 32, ivf: DEFAULT_IVF };

/**
 * Every template of every enrolled person, searchable 1:N and 1:1. Rows added since the last index
 * build sit in a tail that is scanned exactly, so an enrolment is matchable at once; the index is
 * rebuilt when the tail or the removed rows grow past a quarter of it.
 */
export class Gallery {
  private readonly store: SimdVectors;
  private owners: string[] = [];
  private removed = new Set<number>();
  private index: IvfIndex | undefined;
  private indexed = 0;
  private deferred = false;

  constructor(
    readonly dim: number,
    private readonly opts: GalleryOptions = DEFAULT_GALLERY,
    capacity = 1024,
  ) {
    this.store = new SimdVectors(dim, capacity);
  }

  /** the rows, a view into WebAssembly memory (taken afresh: growing replaces the buffer) */
  private get vectors(): Float32Array {
    return this.store.rows;
  }

  /** live templates */
  get size(): number {
    return this.owners.length - this.removed.size;
  }

  get people(): number {
    return new Set(this.owners.filter((_, r) => !this.removed.has(r))).size;
  }

  /** Many at once (loading the store): the index is built once, at the end. */
  addMany(entries: Iterable<{ personId: string; embedding: Float32Array }>): void {
    this.deferred = true;
    try {
      for (const e of entries) this.add(e.personId, e.embedding);
    } finally {
      this.deferred = false;
    }
    this.maybeRebuild();
  }

  add(personId: string, embedding: Float32Array): void {
    if (embedding.length !== this.dim) throw new RangeError(`an embedding has ${this.dim} dimensions`);
    const row = this.owners.length;
    if (row + 1 > this.store.size) this.store.reserve(this.store.size * 2, row);
    this.store.put(row, embedding);
    this.owners.push(personId);
    this.maybeRebuild();
  }

  /** Remove every template of a person; returns how many. Their rows are zeroed at once. */
  remove(personId: string): number {
    let n = 0;
    for (let r = 0; r < this.owners.length; r++) {
      if (this.owners[r] !== personId || this.removed.has(r)) continue;
      this.store.clear(r);
      this.removed.add(r);
      n++;
    }
    if (n > 0) this.maybeRebuild();
    return n;
  }

  has(personId: string): boolean {
    return this.owners.some((o, r) => o === personId && !this.removed.has(r));
  }

  /** 1:N: the best person for a probe (exact similarity; the index only narrows the rows). */
  identify(q: Float32Array): GalleryMatch | undefined {
    let bestRow = -1;
    let best = Number.NEGATIVE_INFINITY;
    if (this.index) {
      // rank the probed lists on the int8 codes, then score the best few exactly
      const { ids, n } = this.index.candidates(q);
      const approx = this.store.gather8(q, ids, n);
      const top = new TopK(this.opts.rerank);
      for (let j = 0; j < n; j++) top.offer(ids[j] as number, approx[j] as number);
      const chosen = Int32Array.from(top.sorted(), (h) => h.row);
      const exact = this.store.gather(q, chosen, chosen.length);
      for (let j = 0; j < chosen.length; j++) {
        const sc = exact[j] as number;
        if (sc > best && !this.removed.has(chosen[j] as number)) {
          best = sc;
          bestRow = chosen[j] as number;
        }
      }
    }
    const from = this.index ? this.indexed : 0;
    const tail = this.store.scan(q, from, this.owners.length - from);
    for (let j = 0; j < tail.length; j++) {
      const sc = tail[j] as number;
      if (sc > best && !this.removed.has(from + j)) {
        best = sc;
        bestRow = from + j;
      }
    }
    return bestRow < 0 ? undefined : { personId: this.owners[bestRow] as string, similarity: best };
  }

  /** 1:1: the probe against one person's own templates (after a card named them). */
  verify(personId: string, q: Float32Array): number | undefined {
    let best: number | undefined;
    for (let r = 0; r < this.owners.length; r++) {
      if (this.owners[r] !== personId || this.removed.has(r)) continue;
      let s = 0;
      const o = r * this.dim;
      for (let i = 0; i < this.dim; i++) s += (this.vectors[o + i] as number) * (q[i] as number);
      if (best === undefined || s > best) best = s;
    }
    return best;
  }

  /** The exact scan over every live row (SIMD): the reference the index's recall is measured against. */
  exact(q: Float32Array): GalleryMatch | undefined {
    const scores = this.store.scan(q, 0, this.owners.length);
    let bestRow = -1;
    let best = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < scores.length; r++) {
      const sc = scores[r] as number;
      if (sc > best && !this.removed.has(r)) {
        best = sc;
        bestRow = r;
      }
    }
    return bestRow < 0 ? undefined : { personId: this.owners[bestRow] as string, similarity: best };
  }

  private maybeRebuild(): void {
    if (this.deferred) return;
    const rows = this.owners.length;
    const live = rows - this.removed.size;
    const stale = rows - this.indexed + this.removed.size;
    if (live < this.opts.indexFrom) {
      this.index = undefined;
      this.indexed = 0;
      this.compact();
      return;
    }
    if (this.index && stale * 4 < this.indexed) return;
    this.compact();
    const index = new IvfIndex(this.dim, this.opts.ivf);
    index.build(this.vectors, this.owners.length);
    this.index = index;
    this.indexed = this.owners.length;
  }

  /** Drop removed rows for good, so the index never holds them. */
  private compact(): void {
    if (this.removed.size === 0) return;
    let w = 0;
    const owners: string[] = [];
    for (let r = 0; r < this.owners.length; r++) {
      if (this.removed.has(r)) continue;
      if (w !== r) this.store.move(w, r);
      owners.push(this.owners[r] as string);
      w++;
    }
    for (let r = w; r < this.owners.length; r++) this.store.clear(r);
    this.owners = owners;
    this.removed.clear();
  }
}
