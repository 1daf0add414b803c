import { DOT_KERNEL_WASM } from "./dot-kernel.wasm.ts";
import { SignCoder } from "./sign-codes.ts";

interface Kernel {
  scan(probe: number, base: number, n: number, dim: number, out: number): void;
  gather(probe: number, base: number, idx: number, n: number, dim: number, out: number): void;
  hamming(probe: number, base: number, n: number, bytes: number, dist: number, hist: number): void;
  collect(dist: number, n: number, cut: number, below: number, take: number, ids: number): number;
}

const PAGE = 65536;

/** The bits of the WebAssembly global we use (the project's lib settings carry no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | undefined;

/**
 * Unit-length rows in WebAssembly memory, twice: as float32 (exact scores) and as sign codes
 * (sign-codes.ts: one bit a dimension, 1/32 of the bytes, for the coarse stage). Both are scored
 * against a probe by the SIMD kernels in dot-kernel.wat, where scalar JavaScript does one
 * multiply-add at a time. Contiguous typed memory, no object per template.
 *
 * Memory: [probe f32][probe code][histogram][scores][row ids][codes x capacity][rows f32 x capacity].
 */
export class SimdVectors {
  private readonly memory = new WA.Memory({ initial: 1 });
  private readonly kernel: Kernel;
  private capacity = 0;
  private readonly coder: SignCoder;
  private probeCodeAt = 0;
  private histAt = 0;
  private scoresAt = 0;
  private idsAt = 0;
  private codesAt = 0;
  private rowsAt = 0;

  constructor(
    readonly dim: number,
    capacity: number,
    codeBits = dim,
  ) {
    compiled ??= new WA.Module(Buffer.from(DOT_KERNEL_WASM, "base64"));
    const instance = new WA.Instance(compiled, { env: { memory: this.memory } });
    this.kernel = instance.exports as unknown as Kernel;
    this.coder = new SignCoder(dim, codeBits);
    this.reserve(Math.max(16, capacity));
  }

  /** the float32 rows, as a view (valid until the next reserve) */
  get rows(): Float32Array {
    return new Float32Array(this.memory.buffer, this.rowsAt, this.capacity * this.dim);
  }

  get size(): number {
    return this.capacity;
  }

  /** Make room for `capacity` rows, keeping the first `keep`. */
  reserve(capacity: number, keep = 0): void {
    if (capacity <= this.capacity) return;
    const d = this.dim;
    const cb = this.coder.bytes;
    const probeCodeAt = d * 4;
    const histAt = probeCodeAt + cb;
    const scoresAt = histAt + (d + 2) * 4;
    const idsAt = scoresAt + capacity * 4;
    const codesAt = idsAt + capacity * 4;
    const rowsAt = codesAt + capacity * cb;
    const need = rowsAt + capacity * d * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    const bytes = new Uint8Array(this.memory.buffer);
    if (keep > 0) {
      // rows first: they move furthest, and codes may move into where rows were
      bytes.copyWithin(rowsAt, this.rowsAt, this.rowsAt + keep * d * 4);
      bytes.copyWithin(codesAt, this.codesAt, this.codesAt + keep * cb);
    }
    Object.assign(this, { capacity, probeCodeAt, histAt, scoresAt, idsAt, codesAt, rowsAt });
  }

  put(row: number, e: Float32Array): void {
    this.rows.set(e, row * this.dim);
    this.coder.encode(e, 0, this.codeBytes, this.codesAt + row * this.coder.bytes);
  }

  /** Centre the codes on the mean of the first `n` rows and write them all again. */
  recode(n: number): void {
    const rows = this.rows;
    this.coder.recentre(rows, n);
    const out = this.codeBytes;
    for (let r = 0; r < n; r++)
      this.coder.encode(rows, r * this.dim, out, this.codesAt + r * this.coder.bytes);
  }

  /** the bytes of WebAssembly memory, for the sign codes (a view: valid until the next reserve) */
  private get codeBytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  clear(row: number): void {
    this.rows.fill(0, row * this.dim, (row + 1) * this.dim);
    const cb = this.coder.bytes;
    this.codeBytes.fill(0, this.codesAt + row * cb, this.codesAt + (row + 1) * cb);
  }

  /** copy row `from` onto row `to` (compaction) */
  move(to: number, from: number): void {
    const d = this.dim;
    this.rows.copyWithin(to * d, from * d, (from + 1) * d);
    const cb = this.coder.bytes;
    const at = this.codesAt;
    this.codeBytes.copyWithin(at + to * cb, at + from * cb, at + (from + 1) * cb);
  }

  /** exact: scores[i] = dot(q, row from + i), i < n */
  scan(q: Float32Array, from: number, n: number): Float32Array {
    this.setProbe(q);
    this.kernel.scan(0, this.rowsAt + from * this.dim * 4, n, this.dim, this.scoresAt);
    return new Float32Array(this.memory.buffer, this.scoresAt, n);
  }

  /** exact: scores[j] = dot(q, row ids[j]) */
  gather(q: Float32Array, ids: Int32Array, n: number): Float32Array {
    this.setProbe(q);
    this.setIds(ids, n);
    this.kernel.gather(0, this.rowsAt, this.idsAt, n, this.dim, this.scoresAt);
    return new Float32Array(this.memory.buffer, this.scoresAt, n);
  }

  /**
   * The coarse stage: the ids of the `k` rows (of the first `n`, `skip` left out) whose codes are
   * nearest the probe's in Hamming distance, ties broken by row order. A view: valid until the
   * next call; `gather(q, ids, ids.length)` then scores them exactly.
   */
  nearestCodes(q: Float32Array, n: number, k: number, skip: ReadonlySet<number>): Int32Array {
    const d = this.dim;
    const hist = new Int32Array(this.memory.buffer, this.histAt, d + 2);
    hist.fill(0);
    this.coder.encode(q, 0, this.codeBytes, this.probeCodeAt);
    this.kernel.hamming(this.probeCodeAt, this.codesAt, n, this.coder.bytes, this.scoresAt, this.histAt);
    const dist = new Int32Array(this.memory.buffer, this.scoresAt, n);
    for (const r of skip) {
      if (r >= n) continue;
      hist[dist[r] as number] = (hist[dist[r] as number] as number) - 1;
      dist[r] = d + 1;
      hist[d + 1] = (hist[d + 1] as number) + 1;
    }
    // the cut: the distance at which the k-th nearest row lies; skipped rows (d + 1) never make it
    const take = Math.min(k, n - skip.size);
    let cut = 0;
    let below = 0;
    while (cut <= d && below + (hist[cut] as number) < take) below += hist[cut++] as number;
    const got = this.kernel.collect(this.scoresAt, n, cut, below, take, this.idsAt);
    return new Int32Array(this.memory.buffer, this.idsAt, got);
  }

  /** bytes of WebAssembly memory held, for the bench's bytes-per-template */
  get bytesHeld(): number {
    return this.memory.buffer.byteLength;
  }

  private setProbe(q: Float32Array): void {
    new Float32Array(this.memory.buffer, 0, this.dim).set(q);
  }

  private setIds(ids: Int32Array, n: number): void {
    new Int32Array(this.memory.buffer, this.idsAt, this.capacity).set(ids.subarray(0, n));
  }
}
