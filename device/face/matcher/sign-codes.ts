import { mulberry32 } from "./prng.ts";

/**
 * One bit a dimension: the sign of a template once centred and rotated. Two codes' Hamming
 * distance tracks the angle between the centred vectors, which is what the coarse stage of 1:N
 * ranks on (gallery.ts).
 *
 * Why centred: faceres embeddings are all non-negative, so every face shares a large common
 * direction; raw signs would be nearly all ones. Subtracting a centre `c` loses nothing for
 * ranking, since q·x = q·(x − c) + q·c and the last term is the same for every row.
 *
 * Why rotated (random signs, then a Walsh–Hadamard transform, O(d log d)): the sign of a
 * coordinate is only informative where that coordinate varies; the rotation spreads the
 * variance of an anisotropic embedding over every dimension, so each bit carries some of it.
 * It is orthogonal, so it changes no angle. The synthetic bench population is isotropic
 * already; the rotation is there for real embeddings.
 *
 * Why `bits` may be fewer than `dim`: after the rotation any `bits` of the coordinates are a
 * random projection of the centred vector, and the coarse stage's cost is its bytes: 512 bits
 * (64 bytes a row) halve the pass over 100,000 rows against 1,024, at the recall the bench shows.
 */
export class SignCoder {
  readonly bytes: number;
  private readonly flips: Float32Array;
  private centre: Float32Array;
  private readonly work: Float32Array;

  constructor(
    readonly dim: number,
    readonly bits = dim,
    seed = 0x5eed,
  ) {
    if (dim < 128 || (dim & (dim - 1)) !== 0)
      throw new RangeError("sign codes need a power-of-two dimension of at least 128");
    if (bits % 128 !== 0 || bits > dim) throw new RangeError("code bits: a multiple of 128, at most dim");
    this.bytes = bits / 8;
    const next = mulberry32(seed);
    this.flips = Float32Array.from({ length: dim }, () => (next() < 0.5 ? -1 : 1));
    this.centre = new Float32Array(dim);
    this.work = new Float32Array(dim);
  }

  /** The mean of the first `rows` rows of `vectors` becomes the centre. */
  recentre(vectors: Float32Array, rows: number): void {
    const c = new Float64Array(this.dim);
    for (let r = 0; r < rows; r++) {
      const o = r * this.dim;
      for (let i = 0; i < this.dim; i++) c[i] = (c[i] as number) + (vectors[o + i] as number);
    }
    this.centre = Float32Array.from(c, (s) => (rows > 0 ? s / rows : 0));
  }

  /** Write the code of `src[at .. at+dim)` into `out[oo .. oo+bytes)`. */
  encode(src: Float32Array, at: number, out: Uint8Array, oo: number): void {
    const w = this.work;
    const d = this.dim;
    for (let i = 0; i < d; i++)
      w[i] = ((src[at + i] as number) - (this.centre[i] as number)) * (this.flips[i] as number);
    for (let h = 1; h < d; h *= 2) {
      for (let i = 0; i < d; i += 2 * h) {
        for (let j = i; j < i + h; j++) {
          const a = w[j] as number;
          const b = w[j + h] as number;
          w[j] = a + b;
          w[j + h] = a - b;
        }
      }
    }
    for (let k = 0; k < this.bytes; k++) {
      let byte = 0;
      for (let b = 0; b < 8; b++) if ((w[k * 8 + b] as number) > 0) byte |= 1 << b;
      out[oo + k] = byte;
    }
  }
}
