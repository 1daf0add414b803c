import { mulberry32 } from "./prng.ts";
import { normalise } from "./vector.ts";

/**
 * Synthetic faceres-like templates for the matcher's bench and tests (100,000 real faces are not
 * something we ship). Shaped after what the shipped model measured on the sample faces
 * (docs/face.md): every raw faceres embedding is non-negative, so all faces share a large common
 * direction; people fall into look-alike groups; two captures of one person agree at cosine ~0.8.
 *
 *   person = normalise(common + 0.9 * group(k) + 1.0 * own)      own, group ~ N(0, 1/dim)
 *   probe  = normalise(person + noise * fresh)                    fresh ~ N(0, 1/dim)
 */
export class SyntheticPopulation {
  private readonly next: () => number;
  private readonly common: Float32Array;
  private readonly groups: Float32Array[];

  constructor(
    readonly dim: number,
    groups: number,
    seed = 1,
  ) {
    this.next = mulberry32(seed);
    this.common = this.gauss(1);
    for (let i = 0; i < dim; i++) this.common[i] = Math.abs(this.common[i] as number);
    this.groups = Array.from({ length: groups }, () => this.gauss(1));
  }

  /** one enrolled person's template */
  person(): Float32Array {
    const g = this.groups[Math.floor(this.next() * this.groups.length)] as Float32Array;
    const own = this.gauss(1);
    const v = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++)
      v[i] = (this.common[i] as number) * 0.8 + (g[i] as number) * 0.9 + (own[i] as number);
    return normalise(v);
  }

  /** another capture of the same face: `noise` 0.75 gives cosine ~0.8 to the template */
  capture(of: Float32Array, noise = 0.75): Float32Array {
    const fresh = this.gauss(noise);
    const v = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) v[i] = (of[i] as number) + (fresh[i] as number);
    return normalise(v);
  }

  private gauss(scale: number): Float32Array {
    const v = new Float32Array(this.dim);
    const k = scale / Math.sqrt(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const u = Math.max(this.next(), 1e-12);
      v[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next()) * k;
    }
    return v;
  }
}
