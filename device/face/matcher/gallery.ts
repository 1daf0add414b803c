import { SimdVectors } from "./simd-vectors.ts";

export interface GalleryMatch {
  readonly personId: string;
  readonly similarity: number;
}

export interface GalleryOptions {
  /** below this many templates a plain exact scan is fast enough (and exact) */
  readonly indexFrom: number;
  /** rows nearest on the sign codes that are re-scored exactly on float32 */
  readonly shortlist: number;
  /** bits of each row's sign code (sign-codes.ts): the coarse stage reads bits / 8 bytes a row */
  readonly codeBits: number;
}

export const DEFAULT_GALLERY: GalleryOptions = { indexFrom: 4096, shortlist: 256, codeBits: 512 };

/**
 * Every template of every enrolled person, searchable 1:N and 1:1.
 *
 * 1:N in two stages past `indexFrom` rows: the Hamming distance of the probe's sign code to every
 * row's (one SIMD pass over 128 bytes a row), the `shortlist` nearest kept by a counting select,
 * and those re-scored with the exact float32 cosine. The answer's similarity is therefore exact,
 * so a threshold means what it means with a plain scan; what the coarse stage can get wrong is
 * leave the best row off the shortlist, which the bench measures as recall against the exact scan.
 *
 * Every row gets its code when it is added (matchable at once). The codes are centred on the
 * gallery's mean when it first reaches `indexFrom` and again whenever it has doubled since:
 * a stale centre costs only code quality, never a wrong score (sign-codes.ts).
 */
export class Gallery {
  private readonly store: SimdVectors;
  private owners: string[] = [];
  private removed = new Set<number>();
  /** live rows when the codes were last centred; 0 while they never were */
  private centredAt = 0;
  private deferred = false;

  constructor(
    readonly dim: number,
    private readonly opts: GalleryOptions = DEFAULT_GALLERY,
    capacity = 1024,
  ) {
    this.store = new SimdVectors(dim, capacity, Math.min(opts.codeBits, dim));
  }

  /** WebAssembly memory held (rows, codes, scratch), for the bench's bytes per template */
  get bytesHeld(): number {
    return this.store.bytesHeld;
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
    this.maybeRecentre();
  }

  add(personId: string, embedding: Float32Array): void {
    if (embedding.length !== this.dim) throw new RangeError(`an embedding has ${this.dim} dimensions`);
    const row = this.owners.length;
    if (row + 1 > this.store.size) this.store.reserve(this.store.size * 2, row);
    this.store.put(row, embedding);
    this.owners.push(personId);
    this.maybeRecentre();
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
    // removed rows stay in the scan (skipped) until they are a quarter of it
    if (n > 0 && this.removed.size * 4 > this.owners.length) this.compact();
    return n;
  }

  has(personId: string): boolean {
    return this.owners.some((o, r) => o === personId && !this.removed.has(r));
  }

  /** 1:N: the best person for a probe, with its exact similarity. */
  identify(q: Float32Array): GalleryMatch | undefined {
    if (this.centredAt === 0) return this.exact(q);
    const ids = this.store.nearestCodes(q, this.owners.length, this.opts.shortlist, this.removed);
    const n = ids.length;
    const rows = Int32Array.from(ids);
    const scores = this.store.gather(q, rows, n);
    let bestRow = -1;
    let best = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      const sc = scores[j] as number;
      if (sc > best) {
        best = sc;
        bestRow = rows[j] as number;
      }
    }
    return bestRow < 0 ? undefined : { personId: this.owners[bestRow] as string, similarity: best };
  }

  /** 1:1: the probe against one person's own templates (after a card named them). */
  verify(personId: string, q: Float32Array): number | undefined {
    let best: number | undefined;
    const rows = this.vectors;
    for (let r = 0; r < this.owners.length; r++) {
      if (this.owners[r] !== personId || this.removed.has(r)) continue;
      let s = 0;
      const o = r * this.dim;
      for (let i = 0; i < this.dim; i++) s += (rows[o + i] as number) * (q[i] as number);
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

  private maybeRecentre(): void {
    if (this.deferred) return;
    const live = this.size;
    if (live < this.opts.indexFrom) {
      this.centredAt = 0;
      return;
    }
    if (this.centredAt > 0 && live < this.centredAt * 2) return;
    this.compact();
    this.store.recode(this.owners.length);
    this.centredAt = live;
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
