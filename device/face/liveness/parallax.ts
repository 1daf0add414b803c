/**
 * Motion liveness, the geometry (pure). A flat photograph or a phone screen, however it is held,
 * tilted or moved, maps every point of the face it shows from one camera frame to the next by one
 * plane homography (3x3, 8 degrees of freedom). A real head that turns does not: the nose tip,
 * nearer the camera than the cheeks and the jaw line, moves against them (parallax), and no
 * homography takes one frame's landmarks to the other's. So:
 *
 * - `motion`: how far the landmarks moved beyond a similarity (shift, in-plane rotation, scale),
 *   which both a still face and a photo slid across the camera leave at ~0. Without it there is no
 *   evidence either way.
 * - `parallax`: what is left after the best homography, the RMS residual over the landmarks,
 *   divided by the face's size. ~0 for a plane under any motion; clearly above the landmark noise
 *   for a head turning a few degrees.
 *
 * Everything here is scale free: the residuals are divided by the RMS radius of the reference
 * frame's landmarks about their centroid.
 */
export type Pt = readonly [number, number];

/** Row-major 3x3 homography. */
export type Homography = Float64Array;

/** A 2D similarity that takes the points to centroid 0 and RMS distance sqrt(2) (Hartley). */
function normaliser(pts: readonly Pt[]): { s: number; cx: number; cy: number } {
  let cx = 0;
  let cy = 0;
  for (const [x, y] of pts) {
    cx += x;
    cy += y;
  }
  cx /= pts.length;
  cy /= pts.length;
  let r = 0;
  for (const [x, y] of pts) r += (x - cx) ** 2 + (y - cy) ** 2;
  r = Math.sqrt(r / pts.length);
  return { s: r > 0 ? Math.SQRT2 / r : 1, cx, cy };
}

/** RMS distance of the points from their centroid (the face's size, for normalising). */
export function rmsRadius(pts: readonly Pt[]): number {
  const { s } = normaliser(pts);
  return Math.SQRT2 / s;
}

/**
 * The eigenvector of the symmetric n x n matrix `m` (row-major, destroyed) with the smallest
 * eigenvalue, by cyclic Jacobi rotations.
 */
export function smallestEigenvector(m: Float64Array, n: number): Float64Array {
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const at = (a: Float64Array, i: number, j: number) => a[i * n + j] ?? 0;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += at(m, i, j) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(m, p, q);
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (at(m, q, q) - at(m, p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = at(m, k, p);
          const mkq = at(m, k, q);
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = at(m, p, k);
          const mqk = at(m, q, k);
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = at(v, k, p);
          const vkq = at(v, k, q);
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (at(m, i, i) < at(m, best, best)) best = i;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = at(v, k, best);
  return out;
}

/**
 * The homography taking `src` to `dst` (at least 4 correspondences, not all on a line) by the
 * normalised direct linear transform: Hartley normalisation of both sets, the algebraic least
 * squares solution as the smallest eigenvector of AᵀA (9x9), denormalised. Undefined when the
 * points are degenerate.
 */
export function fitHomography(src: readonly Pt[], dst: readonly Pt[]): Homography | undefined {
  if (src.length !== dst.length || src.length < 4) return undefined;
  const ns = normaliser(src);
  const nd = normaliser(dst);
  const ata = new Float64Array(81);
  const row = new Float64Array(9);
  const add = () => {
    for (let i = 0; i < 9; i++) {
      const ri = row[i] ?? 0;
      if (ri === 0) continue;
      for (let j = 0; j < 9; j++) ata[i * 9 + j] = (ata[i * 9 + j] ?? 0) + ri * (row[j] ?? 0);
    }
  };
  for (let k = 0; k < src.length; k++) {
    const s = src[k] as Pt;
    const d = dst[k] as Pt;
    const x = (s[0] - ns.cx) * ns.s;
    const y = (s[1] - ns.cy) * ns.s;
    const u = (d[0] - nd.cx) * nd.s;
    const v = (d[1] - nd.cy) * nd.s;
    row.set([x, y, 1, 0, 0, 0, -u * x, -u * y, -u]);
    add();
    row.set([0, 0, 0, x, y, 1, -v * x, -v * y, -v]);
    add();
  }
  const hn = smallestEigenvector(ata, 9);
  // H = Td⁻¹ · Hn · Ts
  const ts = [ns.s, 0, -ns.s * ns.cx, 0, ns.s, -ns.s * ns.cy, 0, 0, 1];
  const tdInv = [1 / nd.s, 0, nd.cx, 0, 1 / nd.s, nd.cy, 0, 0, 1];
  const h = mul3(tdInv, mul3(Array.from(hn), ts));
  const scale = h[8] ?? 0;
  if (!h.every(Number.isFinite)) return undefined;
  const out = new Float64Array(9);
  // scale so that h33 = 1 where that is possible (it is for any camera looking at the plane)
  const k = Math.abs(scale) > 1e-12 ? 1 / scale : 1;
  for (let i = 0; i < 9; i++) out[i] = (h[i] ?? 0) * k;
  return out;
}

function mul3(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (a[i * 3 + k] ?? 0) * (b[k * 3 + j] ?? 0);
      out[i * 3 + j] = s;
    }
  return out;
}

export function applyHomography(h: Homography, p: Pt): Pt {
  const [x, y] = p;
  const w = (h[6] ?? 0) * x + (h[7] ?? 0) * y + (h[8] ?? 0);
  return [
    ((h[0] ?? 0) * x + (h[1] ?? 0) * y + (h[2] ?? 0)) / w,
    ((h[3] ?? 0) * x + (h[4] ?? 0) * y + (h[5] ?? 0)) / w,
  ];
}

/** RMS transfer error of `dst` against the best homography of `src`, in `dst`'s units. */
export function homographyResidual(src: readonly Pt[], dst: readonly Pt[]): number {
  const h = fitHomography(src, dst);
  if (!h) return Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let k = 0; k < src.length; k++) {
    const [u, v] = applyHomography(h, src[k] as Pt);
    const d = dst[k] as Pt;
    sum += (u - d[0]) ** 2 + (v - d[1]) ** 2;
  }
  const r = Math.sqrt(sum / src.length);
  return Number.isFinite(r) ? r : Number.POSITIVE_INFINITY;
}

/**
 * RMS error of `dst` against the best similarity (shift, rotation, scale) of `src`: closed form,
 * treating the points as complex numbers, d ≈ a·s + b.
 */
export function similarityResidual(src: readonly Pt[], dst: readonly Pt[]): number {
  const n = src.length;
  if (n === 0 || n !== dst.length) return 0;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let k = 0; k < n; k++) {
    sx += (src[k] as Pt)[0];
    sy += (src[k] as Pt)[1];
    dx += (dst[k] as Pt)[0];
    dy += (dst[k] as Pt)[1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let re = 0;
  let im = 0;
  let ss = 0;
  for (let k = 0; k < n; k++) {
    const a = (src[k] as Pt)[0] - sx;
    const b = (src[k] as Pt)[1] - sy;
    const c = (dst[k] as Pt)[0] - dx;
    const d = (dst[k] as Pt)[1] - dy;
    // (c + id)(a - ib)
    re += c * a + d * b;
    im += d * a - c * b;
    ss += a * a + b * b;
  }
  if (ss === 0) return 0;
  const ar = re / ss;
  const ai = im / ss;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const a = (src[k] as Pt)[0] - sx;
    const b = (src[k] as Pt)[1] - sy;
    const u = ar * a - ai * b;
    const v = ai * a + ar * b;
    sum += (u - ((dst[k] as Pt)[0] - dx)) ** 2 + (v - ((dst[k] as Pt)[1] - dy)) ** 2;
  }
  return Math.sqrt(sum / n);
}

export interface MotionEvidence {
  /** largest non-similar motion of a frame against the first, over the face's size */
  readonly motion: number;
  /** largest homography residual of a frame against the first, over the face's size */
  readonly parallax: number;
  /** frames compared (the first included) */
  readonly frames: number;
}

/**
 * The evidence of a burst: each frame's landmarks against the first frame's (the same landmark
 * order in every frame). Fewer than two frames: no evidence (motion 0).
 */
export function motionEvidence(frames: readonly (readonly Pt[])[]): MotionEvidence {
  const first = frames[0];
  if (!first || frames.length < 2) return { motion: 0, parallax: 0, frames: frames.length };
  const size = rmsRadius(first);
  if (!(size > 0)) return { motion: 0, parallax: 0, frames: frames.length };
  let motion = 0;
  let parallax = 0;
  for (const f of frames.slice(1)) {
    if (f.length !== first.length) continue;
    motion = Math.max(motion, similarityResidual(first, f) / size);
    parallax = Math.max(parallax, homographyResidual(first, f) / size);
  }
  return { motion, parallax, frames: frames.length };
}

export type MotionVerdict = "live" | "planar" | "no-motion";

/** The thresholds on the evidence: too little motion says nothing; motion without parallax is a plane. */
export function judgeMotion(
  e: MotionEvidence,
  t: { readonly minMotion: number; readonly minParallax: number },
): MotionVerdict {
  if (e.motion < t.minMotion) return "no-motion";
  return e.parallax >= t.minParallax ? "live" : "planar";
}

/**
 * As homographyResidual, robust to a few points found in the wrong place (a patch matched to a
 * look-alike): fit, drop the points over three times the median error, fit again.
 */
export function robustHomographyResidual(src: readonly Pt[], dst: readonly Pt[]): number {
  const h = fitHomography(src, dst);
  if (!h) return Number.POSITIVE_INFINITY;
  const err = src.map((s, k) => {
    const [u, v] = applyHomography(h, s);
    const d = dst[k] as Pt;
    return Math.hypot(u - d[0], v - d[1]);
  });
  const median = [...err].sort((a, b) => a - b)[Math.floor(err.length / 2)] ?? 0;
  const keep = err.map((e) => e <= 3 * median + 1e-9);
  const s2 = src.filter((_, k) => keep[k]);
  const d2 = dst.filter((_, k) => keep[k]);
  return s2.length >= 8 ? homographyResidual(s2, d2) : homographyResidual(src, dst);
}

/**
 * The part of the homography residual that is coherent across the face: each point's residual
 * vector averaged with those of its `k` nearest neighbours, then the RMS. A head's parallax is a
 * smooth field (the nose and its surroundings move together against the cheeks and the outline)
 * and survives the averaging; the tracker's errors on a plane are nearly independent from point
 * to point and shrink by about √k. Fitted robustly (points over three times the median error
 * dropped, as robustHomographyResidual).
 */
export function coherentParallax(src: readonly Pt[], dst: readonly Pt[], k = 8): number {
  let h = fitHomography(src, dst);
  if (!h) return Number.POSITIVE_INFINITY;
  const resid = (hh: Homography, i: number): Pt => {
    const [u, v] = applyHomography(hh, src[i] as Pt);
    const d = dst[i] as Pt;
    return [d[0] - u, d[1] - v];
  };
  const err = src.map((_, i) => Math.hypot(...resid(h as Homography, i)));
  const median = [...err].sort((a, b) => a - b)[Math.floor(err.length / 2)] ?? 0;
  let keep = src.map((_, i) => i).filter((i) => (err[i] ?? 0) <= 3 * median + 1e-9);
  if (keep.length < 8) keep = src.map((_, i) => i);
  else
    h =
      fitHomography(
        keep.map((i) => src[i] as Pt),
        keep.map((i) => dst[i] as Pt),
      ) ?? h;
  const r = keep.map((i) => resid(h as Homography, i));
  const pos = keep.map((i) => src[i] as Pt);
  let sum = 0;
  for (let a = 0; a < pos.length; a++) {
    const pa = pos[a] as Pt;
    const near = pos
      .map((pb, b) => ({ b, d: (pb[0] - pa[0]) ** 2 + (pb[1] - pa[1]) ** 2 }))
      .sort((x, y) => x.d - y.d)
      .slice(0, k);
    let mx = 0;
    let my = 0;
    for (const { b } of near) {
      mx += (r[b] as Pt)[0];
      my += (r[b] as Pt)[1];
    }
    sum += (mx / near.length) ** 2 + (my / near.length) ** 2;
  }
  const out = Math.sqrt(sum / Math.max(1, pos.length));
  return Number.isFinite(out) ? out : Number.POSITIVE_INFINITY;
}

/** One pair's evidence from point correspondences, over the face's `size` (rmsRadius). */
export function pairEvidence(
  src: readonly Pt[],
  dst: readonly Pt[],
  size: number,
): { motion: number; parallax: number } | undefined {
  if (src.length < 12 || !(size > 0)) return undefined;
  return { motion: similarityResidual(src, dst) / size, parallax: coherentParallax(src, dst) / size };
}
