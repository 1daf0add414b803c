import type { RgbImage } from "../image-decode.ts";
import { type Pt, pairEvidence, rmsRadius } from "./parallax.ts";

/**
 * Following points of the face's texture from one frame to another (pure). Why not the face mesh's
 * landmarks themselves: the mesh model places its 468 points with a 3D face in mind, and on a
 * photograph tilted in front of the camera it moves them as if a head had turned (measured: a
 * tilted print's landmarks leave a homography residual as large as a turning head's,
 * docs/face.md). The picture itself cannot do that: every pixel of a flat print moves by the
 * plane's homography. So the landmarks only say where to look; a patch of the first frame around
 * each is found again in the other frame by normalised cross-correlation, to a fraction of a pixel.
 */
export interface Grey {
  readonly width: number;
  readonly height: number;
  readonly v: Float32Array;
}

export function toGrey(img: RgbImage): Grey {
  const v = new Float32Array(img.width * img.height);
  for (let i = 0; i < v.length; i++)
    v[i] =
      0.299 * (img.rgb[i * 3] ?? 0) + 0.587 * (img.rgb[i * 3 + 1] ?? 0) + 0.114 * (img.rgb[i * 3 + 2] ?? 0);
  return { width: img.width, height: img.height, v };
}

export interface TrackOptions {
  /** half size of the patch compared (5: 11 x 11 pixels) */
  readonly patch: number;
  /** how far from the guess the patch is looked for, pixels */
  readonly search: number;
  /** the correlation a match needs (else the point is dropped) */
  readonly minNcc: number;
  /** grey-level standard deviation a patch needs (a flat patch cannot be found again) */
  readonly minContrast: number;
}

export const TRACK_DEFAULTS: TrackOptions = { patch: 5, search: 5, minNcc: 0.85, minContrast: 4 };

export interface Tracked {
  /** where the point is in the first frame (integer pixels) and where it was found in the other */
  readonly from: Pt[];
  readonly to: Pt[];
}

/**
 * Each of `pts` (in `a`) found again in `b`, starting from `guess` (the same landmark as the
 * mesh model placed it in `b`). Points too near an edge, on a flat patch or with a poor match are
 * left out.
 */
export function trackPoints(
  a: Grey,
  b: Grey,
  pts: readonly Pt[],
  guess: readonly Pt[],
  o: TrackOptions = TRACK_DEFAULTS,
): Tracked {
  const from: Pt[] = [];
  const to: Pt[] = [];
  const r = o.patch;
  const n = (2 * r + 1) ** 2;
  const tpl = new Float32Array(n);
  for (let k = 0; k < pts.length; k++) {
    const p = pts[k] as Pt;
    const g = guess[k] ?? p;
    const px = Math.round(p[0]);
    const py = Math.round(p[1]);
    if (!inside(a, px, py, r)) continue;
    // the template, zero mean, unit norm
    let mean = 0;
    for (let dy = -r, i = 0; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++, i++) {
        const v = a.v[(py + dy) * a.width + px + dx] ?? 0;
        tpl[i] = v;
        mean += v;
      }
    mean /= n;
    let norm = 0;
    for (let i = 0; i < n; i++) {
      const d = (tpl[i] ?? 0) - mean;
      tpl[i] = d;
      norm += d * d;
    }
    if (Math.sqrt(norm / n) < o.minContrast) continue;
    norm = Math.sqrt(norm);
    const gx = Math.round(g[0]);
    const gy = Math.round(g[1]);
    let best = -2;
    let bx = 0;
    let by = 0;
    for (let sy = -o.search; sy <= o.search; sy++)
      for (let sx = -o.search; sx <= o.search; sx++) {
        const cx = gx + sx;
        const cy = gy + sy;
        if (!inside(b, cx, cy, r)) continue;
        const s = ncc(b, cx, cy, r, tpl, norm);
        if (s > best) {
          best = s;
          bx = sx;
          by = sy;
        }
      }
    if (best < o.minNcc || Math.abs(bx) === o.search || Math.abs(by) === o.search) continue;
    const refined = refine(a, b, px, py, r, gx + bx, gy + by);
    if (!refined) continue;
    from.push([px, py]);
    to.push(refined);
  }
  return { from, to };
}

/**
 * Sub-pixel position of the patch of `a` at (px, py) in `b`, from the whole-pixel match (cx, cy):
 * Lucas-Kanade for a shift (inverse compositional: the template's gradients, six iterations),
 * each sample of `b` brought to the template's mean and contrast. Undefined when it runs away.
 */
function refine(a: Grey, b: Grey, px: number, py: number, r: number, cx: number, cy: number): Pt | undefined {
  const n = (2 * r + 1) ** 2;
  const ta = new Float64Array(n);
  const gx = new Float64Array(n);
  const gy = new Float64Array(n);
  let h11 = 0;
  let h12 = 0;
  let h22 = 0;
  let ma = 0;
  for (let dy = -r, i = 0; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++, i++) {
      const x = px + dx;
      const y = py + dy;
      ta[i] = a.v[y * a.width + x] ?? 0;
      ma += ta[i] ?? 0;
      const ax = (pix(a, x + 1, y) - pix(a, x - 1, y)) / 2;
      const ay = (pix(a, x, y + 1) - pix(a, x, y - 1)) / 2;
      gx[i] = ax;
      gy[i] = ay;
      h11 += ax * ax;
      h12 += ax * ay;
      h22 += ay * ay;
    }
  ma /= n;
  let sa = 0;
  for (let i = 0; i < n; i++) sa += ((ta[i] ?? 0) - ma) ** 2;
  sa = Math.sqrt(sa / n);
  const det = h11 * h22 - h12 * h12;
  if (!(det > 1e-9)) return undefined;
  let ux = cx;
  let uy = cy;
  const sb = new Float64Array(n);
  for (let it = 0; it < 6; it++) {
    let mb = 0;
    for (let dy = -r, i = 0; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++, i++) {
        sb[i] = bilinear(b, ux + dx, uy + dy);
        mb += sb[i] ?? 0;
      }
    mb /= n;
    let sdb = 0;
    for (let i = 0; i < n; i++) sdb += ((sb[i] ?? 0) - mb) ** 2;
    sdb = Math.sqrt(sdb / n);
    if (!(sdb > 0)) return undefined;
    let e1 = 0;
    let e2 = 0;
    for (let i = 0; i < n; i++) {
      const e = (((sb[i] ?? 0) - mb) / sdb) * sa + ma - (ta[i] ?? 0);
      e1 += (gx[i] ?? 0) * e;
      e2 += (gy[i] ?? 0) * e;
    }
    const dxs = (h22 * e1 - h12 * e2) / det;
    const dys = (h11 * e2 - h12 * e1) / det;
    ux -= dxs;
    uy -= dys;
    if (Math.abs(ux - cx) > 1.5 || Math.abs(uy - cy) > 1.5) return undefined;
    if (Math.abs(dxs) + Math.abs(dys) < 1e-3) break;
  }
  return [ux, uy];
}

function pix(g: Grey, x: number, y: number): number {
  const xx = Math.max(0, Math.min(g.width - 1, x));
  const yy = Math.max(0, Math.min(g.height - 1, y));
  return g.v[yy * g.width + xx] ?? 0;
}

function bilinear(g: Grey, x: number, y: number): number {
  const x0 = Math.max(0, Math.min(g.width - 2, Math.floor(x)));
  const y0 = Math.max(0, Math.min(g.height - 2, Math.floor(y)));
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => g.v[yy * g.width + xx] ?? 0;
  return (
    (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
    (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
  );
}

function inside(g: Grey, x: number, y: number, r: number): boolean {
  return x - r >= 0 && y - r >= 0 && x + r < g.width && y + r < g.height;
}

function ncc(b: Grey, cx: number, cy: number, r: number, tpl: Float32Array, tplNorm: number): number {
  const n = (2 * r + 1) ** 2;
  let mean = 0;
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) mean += b.v[(cy + dy) * b.width + cx + dx] ?? 0;
  mean /= n;
  let dot = 0;
  let norm = 0;
  for (let dy = -r, i = 0; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++, i++) {
      const d = (b.v[(cy + dy) * b.width + cx + dx] ?? 0) - mean;
      dot += d * (tpl[i] ?? 0);
      norm += d * d;
    }
  return norm > 0 ? dot / (Math.sqrt(norm) * tplNorm) : -1;
}

/** A frame of a burst inside the face process: its grey picture and the mesh's landmarks. */
export interface BurstFrame {
  readonly grey: Grey;
  readonly landmarks: readonly Pt[];
}

/** Every `step`-th landmark is followed (468 / 3: 156 points). */
const STEP = 3;

/**
 * The evidence of a burst, by texture: each frame against the first, the first frame's landmarks
 * (every third) followed into the other frame. A pair with fewer than 12 points found again
 * says nothing. `tracked` is the fewest points a counted pair kept.
 */
export function burstEvidence(
  frames: readonly BurstFrame[],
  o: TrackOptions = TRACK_DEFAULTS,
): { motion: number; parallax: number; frames: number; pairs: number; tracked: number } {
  const first = frames[0];
  let motion = 0;
  let parallax = 0;
  let pairs = 0;
  let tracked = Number.POSITIVE_INFINITY;
  if (first) {
    const size = rmsRadius(first.landmarks);
    const pts = first.landmarks.filter((_, i) => i % STEP === 0);
    for (const f of frames.slice(1)) {
      if (f.landmarks.length !== first.landmarks.length) continue;
      const guess = f.landmarks.filter((_, i) => i % STEP === 0);
      const t = trackPoints(first.grey, f.grey, pts, guess, o);
      const e = pairEvidence(t.from, t.to, size);
      if (!e) continue;
      pairs++;
      tracked = Math.min(tracked, t.from.length);
      motion = Math.max(motion, e.motion);
      parallax = Math.max(parallax, e.parallax);
    }
  }
  return { motion, parallax, frames: frames.length, pairs, tracked: pairs ? tracked : 0 };
}
