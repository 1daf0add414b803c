import { DOT_KERNEL_WASM } from "./dot-kernel.wasm.ts";

interface Kernel {
  scan(probe: number, base: number, n: number, dim: number, out: number): void;
  gather(probe: number, base: number, idx: number, n: number, dim: number, out: number): void;
  gather8(probe: number, base: number, idx: number, n: number, dim: number, out: number): void;
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
 * Unit-length rows in WebAssembly memory, twice: as float32 (exact scores) and as int8 codes with a
 * per-row scale (a quarter of the bytes, for ranking candidates). Both are scored against a probe
 * by the SIMD kernels in dot-kernel.wat, where scalar JavaScript does one multiply-add at a time.
 *
 * Memory: [probe f32][probe i8][scores][row ids][codes i8 x capacity][rows f32 x capacity].
 */
export class SimdVectors {
  private readonly memory = new WA.Memory({ initial: 1 });
  private readonly kernel: Kernel;
  private capacity = 0;
  private probe8At = 0;
  private scoresAt = 0;
  private idsAt = 0;
  private codesAt = 0;
  private rowsAt = 0;
  private scales = new Float32Array(0);

  constructor(
    readonly dim: number,
    capacity: number,
  ) {
    if (dim % 16 !== 0) throw new RangeError("the SIMD kernels need a dimension that is a multiple of 16");
    compiled ??= new WA.Module(Buffer.from(DOT_KERNEL_WASM, "base64"));
    const instance = new WA.Instance(compiled, { env: { memory: this.memory } });
    this.kernel = instance.exports as unknown as Kernel;
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
    const probe8At = d * 4;
    const scoresAt = probe8At + d;
    const idsAt = scoresAt + capacity * 4;
    const codesAt = idsAt + capacity * 4;
    const rowsAt = codesAt + capacity * d;
    const need = rowsAt + capacity * d * 4;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    const bytes = new Uint8Array(this.memory.buffer);
    if (keep > 0) {
      // rows first: they move furthest, and codes may move into where rows were
      bytes.copyWithin(rowsAt, this.rowsAt, this.rowsAt + keep * d * 4);
      bytes.copyWithin(codesAt, this.codesAt, this.codesAt + keep * d);
    }
    const scales = new Float32Array(capacity);
    scales.set(this.scales.subarray(0, keep));
    this.scales = scales;
    Object.assign(this, { capacity, probe8At, scoresAt, idsAt, codesAt, rowsAt });
  }

  put(row: number, e: Float32Array): void {
    this.rows.set(e, row * this.dim);
    this.scales[row] = quantise(
      e,
      new Int8Array(this.memory.buffer, this.codesAt + row * this.dim, this.dim),
    );
  }

  clear(row: number): void {
    this.rows.fill(0, row * this.dim, (row + 1) * this.dim);
    new Int8Array(this.memory.buffer, this.codesAt + row * this.dim, this.dim).fill(0);
    this.scales[row] = 0;
  }

  /** copy row `from` onto row `to` (compaction) */
  move(to: number, from: number): void {
    const d = this.dim;
    this.rows.copyWithin(to * d, from * d, (from + 1) * d);
    new Int8Array(this.memory.buffer, this.codesAt, this.capacity * d).copyWithin(
      to * d,
      from * d,
      (from + 1) * d,
    );
    this.scales[to] = this.scales[from] as number;
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

  /** approximate (int8 codes): a copy of the scores of rows ids[j], in cosine units */
  gather8(q: Float32Array, ids: Int32Array, n: number): Float32Array {
    const qs = quantise(q, new Int8Array(this.memory.buffer, this.probe8At, this.dim));
    this.setIds(ids, n);
    this.kernel.gather8(this.probe8At, this.codesAt, this.idsAt, n, this.dim, this.scoresAt);
    const raw = new Int32Array(this.memory.buffer, this.scoresAt, n);
    const out = new Float32Array(n);
    for (let j = 0; j < n; j++) out[j] = (raw[j] as number) * qs * (this.scales[ids[j] as number] as number);
    return out;
  }

  private setProbe(q: Float32Array): void {
    new Float32Array(this.memory.buffer, 0, this.dim).set(q);
  }

  private setIds(ids: Int32Array, n: number): void {
    new Int32Array(this.memory.buffer, this.idsAt, this.capacity).set(ids.subarray(0, n));
  }
}

/** int8 codes with one scale per row; returns the scale that turns codes back into floats */
function quantise(src: Float32Array, out: Int8Array): number {
  let max = 0;
  for (let i = 0; i < src.length; i++) max = Math.max(max, Math.abs(src[i] as number));
  if (max === 0) {
    out.fill(0);
    return 0;
  }
  const k = 127 / max;
  for (let i = 0; i < src.length; i++) out[i] = Math.round((src[i] as number) * k);
  return max / 127;
}
