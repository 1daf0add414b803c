import { exactTopK, type Hit } from "./exact.ts";
import { DEFAULT_IVF, IvfIndex, type IvfOptions } from "./ivf-index.ts";

export interface GalleryMatch {
  readonly personId: string;
  readonly similarity: number;
}

export interface GalleryOptions {
  /** below this many templates a plain exact scan is fast enough (and exact) */
  readonly indexFrom: number;
  readonly ivf: IvfOptions;
}

export const DEFAULT_GALLERY: GalleryOptions = { indexFrom: 4096, ivf: DEFAULT_IVF };

/**
 * Every template of every enrolled person, searchable 1:N and 1:1. Rows added since the last index
 * build sit in a tail that is scanned exactly, so an enrolment is matchable at once; the index is
 * rebuilt when the tail or the removed rows grow past a quarter of it.
 */
export class Gallery {
  private vectors: Float32Array;
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
    this.vectors = new Float32Array(capacity * dim);
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
    if ((row + 1) * this.dim > this.vectors.length) {
      const grown = new Float32Array(Math.max(this.vectors.length * 2, (row + 1) * this.dim));
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(embedding, row * this.dim);
    this.owners.push(personId);
    this.maybeRebuild();
  }

  /** Remove every template of a person; returns how many. Their rows are zeroed at once. */
  remove(personId: string): number {
    let n = 0;
    for (let r = 0; r < this.owners.length; r++) {
      if (this.owners[r] !== personId || this.removed.has(r)) continue;
      this.vectors.fill(0, r * this.dim, (r + 1) * this.dim);
      this.removed.add(r);
      n++;
    }
    if (n > 0) this.maybeRebuild();
    return n;
  }

  has(personId: string): boolean {
    return this.owners.some((o, r) => o === personId && !this.removed.has(r));
  }

  /** 1:N: the best person for a probe. */
  identify(q: Float32Array): GalleryMatch | undefined {
    const hits: Hit[] = [];
    if (this.index) hits.push(...this.index.search(this.vectors, q, 4));
    const tailFrom = this.index ? this.indexed : 0;
    const tail = exactTopK(
      this.vectors.subarray(tailFrom * this.dim),
      this.owners.length - tailFrom,
      this.dim,
      q,
      4,
    );
    for (const h of tail) hits.push({ row: h.row + tailFrom, similarity: h.similarity });
    let best: GalleryMatch | undefined;
    for (const h of hits) {
      if (this.removed.has(h.row)) continue;
      if (!best || h.similarity > best.similarity) {
        best = { personId: this.owners[h.row] as string, similarity: h.similarity };
      }
    }
    return best;
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

  /** The exact scan over every live row (the bench's and the tests' reference). */
  exact(q: Float32Array): GalleryMatch | undefined {
    const hits = exactTopK(this.vectors, this.owners.length, this.dim, q, 1 + this.removed.size);
    const h = hits.find((x) => !this.removed.has(x.row));
    return h ? { personId: this.owners[h.row] as string, similarity: h.similarity } : undefined;
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
      if (w !== r) this.vectors.copyWithin(w * this.dim, r * this.dim, (r + 1) * this.dim);
      owners.push(this.owners[r] as string);
      w++;
    }
    this.vectors.fill(0, w * this.dim);
    this.owners = owners;
    this.removed.clear();
  }
}
