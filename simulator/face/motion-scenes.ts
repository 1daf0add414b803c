import type { RgbImage } from "../../device/face/image-decode.ts";

/**
 * Bursts of frames for the motion liveness check (device/face/liveness/parallax.ts). There are no
 * real multi-frame captures here, so both kinds are made, and docs/face.md says what that is worth:
 *
 * - `heldPlane`: a photograph or a screen is a plane. It is placed in front of a pinhole camera and
 *   tilted and shifted as a hand holds it; each frame is an exact homography of the attack image
 *   (inverse-mapped, bilinear), over a plain wall.
 * - `turnHead`: a real head, simulated in 2.5D: the photograph is texture-mapped onto a depth map
 *   interpolated from the face mesh's 468 landmark depths (the mesh model's own estimate for that
 *   photograph), turned by a small yaw and pitch about a centre behind the face and re-rendered
 *   orthographically with a depth buffer. Hair and background turn with the face (no depth for
 *   them is known): a simulation, not a capture.
 */
export type Mesh = readonly (readonly [number, number, number])[];

export interface PlanePose {
  /** degrees about the vertical axis, the horizontal one, the optical axis */
  readonly yaw: number;
  readonly pitch: number;
  readonly roll?: number;
  /** shift, in fractions of the card's width; tz: towards (<0) or away from the camera */
  readonly tx?: number;
  readonly ty?: number;
  readonly tz?: number;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function rotation(yawDeg: number, pitchDeg: number, rollDeg: number): number[] {
  const a = (yawDeg * Math.PI) / 180;
  const b = (pitchDeg * Math.PI) / 180;
  const c = (rollDeg * Math.PI) / 180;
  const ry = [Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  return mul3(rz, mul3(rx, ry));
}

function mul3(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++)
        out[i * 3 + j] = (out[i * 3 + j] ?? 0) + (a[i * 3 + k] ?? 0) * (b[k * 3 + j] ?? 0);
  return out;
}

function inv3(m: readonly number[]): number[] {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, i = 0] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

function sample(img: RgbImage, x: number, y: number, out: Uint8Array, o: number): boolean {
  if (x < 0 || y < 0 || x > img.width - 1 || y > img.height - 1) return false;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(img.width - 1, x0 + 1);
  const y1 = Math.min(img.height - 1, y0 + 1);
  const fx = x - x0;
  const fy = y - y0;
  for (let c = 0; c < 3; c++) {
    const at = (xx: number, yy: number) => img.rgb[(yy * img.width + xx) * 3 + c] ?? 0;
    const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
    const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
    out[o + c] = clampByte(top * (1 - fy) + bottom * fy);
  }
  return true;
}

/**
 * The card image (a print or a phone, border included) held up in front of a pinhole camera at
 * `pose`: a frame `margin` times the card's size, the card filling ~70 % of its width when held
 * square on, over a plain wall. Pose 0 is the card square on, centred.
 */
export function heldPlane(card: RgbImage, pose: PlanePose, margin = 1.4): RgbImage {
  const { width, height, h } = planeHomography(card, pose, margin);
  const hi = inv3(h);
  const rgb = new Uint8Array(width * height * 3);
  let seed = 11;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = (hi[6] ?? 0) * x + (hi[7] ?? 0) * y + (hi[8] ?? 0);
      const u = ((hi[0] ?? 0) * x + (hi[1] ?? 0) * y + (hi[2] ?? 0)) / w;
      const v = ((hi[3] ?? 0) * x + (hi[4] ?? 0) * y + (hi[5] ?? 0)) / w;
      const o = (y * width + x) * 3;
      if (w > 0 && sample(card, u, v, rgb, o)) continue;
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const wall = 150 - y * (40 / height) + ((seed % 7) - 3);
      rgb[o] = clampByte(wall + 8);
      rgb[o + 1] = clampByte(wall + 2);
      rgb[o + 2] = clampByte(wall - 6);
    }
  }
  return { width, height, rgb };
}

/** Where a card pixel lands in the frame of `heldPlane(card, pose, margin)`. */
export function planePoint(
  card: RgbImage,
  pose: PlanePose,
  p: readonly [number, number],
  margin = 1.4,
): [number, number] {
  const { h } = planeHomography(card, pose, margin);
  const w = (h[6] ?? 0) * p[0] + (h[7] ?? 0) * p[1] + (h[8] ?? 0);
  return [
    ((h[0] ?? 0) * p[0] + (h[1] ?? 0) * p[1] + (h[2] ?? 0)) / w,
    ((h[3] ?? 0) * p[0] + (h[4] ?? 0) * p[1] + (h[5] ?? 0)) / w,
  ];
}

/** The frame's size and the homography card pixel -> frame pixel of a card held at `pose`. */
function planeHomography(
  card: RgbImage,
  pose: PlanePose,
  margin: number,
): { width: number; height: number; h: number[] } {
  const width = Math.round(card.width * margin);
  const height = Math.round(card.height * margin);
  const f = width;
  const z0 = (f * card.width) / (width / margin);
  const r = rotation(pose.yaw, pose.pitch, pose.roll ?? 0);
  const t = [(pose.tx ?? 0) * card.width, (pose.ty ?? 0) * card.width, z0 + (pose.tz ?? 0) * card.width];
  // card pixel (u, v) -> camera: R [u - w/2, v - h/2, 0] + t -> image: K
  const k = [f, 0, width / 2, 0, f, height / 2, 0, 0, 1];
  const rt = [
    r[0] ?? 0,
    r[1] ?? 0,
    t[0] ?? 0,
    r[3] ?? 0,
    r[4] ?? 0,
    t[1] ?? 0,
    r[6] ?? 0,
    r[7] ?? 0,
    t[2] ?? 0,
  ];
  const centre = [1, 0, -card.width / 2, 0, 1, -card.height / 2, 0, 0, 1];
  return { width, height, h: mul3(k, mul3(rt, centre)) };
}

/**
 * Per-pixel depth from the mesh's landmark depths: inverse-distance weighting of the 12 nearest
 * landmarks, on a grid of `step` pixels, bilinear in between. Outside the face the depth is that
 * of the nearest landmarks (the face's rim), so the picture stays in one piece.
 */
export function depthMap(width: number, height: number, mesh: Mesh, step = 4): Float32Array {
  const gw = Math.ceil(width / step) + 1;
  const gh = Math.ceil(height / step) + 1;
  const grid = new Float32Array(gw * gh);
  const near: { d: number; z: number }[] = [];
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x = gx * step;
      const y = gy * step;
      near.length = 0;
      for (const [mx, my, mz] of mesh) near.push({ d: (mx - x) ** 2 + (my - y) ** 2, z: mz });
      near.sort((a, b) => a.d - b.d);
      let sw = 0;
      let sz = 0;
      for (const n of near.slice(0, 12)) {
        const w = 1 / (n.d + 1);
        sw += w;
        sz += w * n.z;
      }
      grid[gy * gw + gx] = sz / sw;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = Math.min(gh - 2, Math.floor(y / step));
    const fy = y / step - gy;
    for (let x = 0; x < width; x++) {
      const gx = Math.min(gw - 2, Math.floor(x / step));
      const fx = x / step - gx;
      const g = (i: number, j: number) => grid[j * gw + i] ?? 0;
      const top = g(gx, gy) * (1 - fx) + g(gx + 1, gy) * fx;
      const bottom = g(gx, gy + 1) * (1 - fx) + g(gx + 1, gy + 1) * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * The photograph as a head turned by `yawDeg` (then nodded by `pitchDeg`) about a centre
 * `behind` (fraction of the face's width) behind its deepest landmark. Orthographic, with a depth
 * buffer: each row (yaw) and then each column (pitch) is forward-mapped as a strip of segments,
 * the nearest surface wins where the strip folds, gaps are filled from the neighbours.
 */
export function turnHead(
  img: RgbImage,
  depth: Float32Array,
  yawDeg: number,
  pitchDeg = 0,
  behind = 0.5,
): RgbImage {
  let zmax = Number.NEGATIVE_INFINITY;
  for (const z of depth) zmax = Math.max(zmax, z);
  const zc = zmax + behind * img.width;
  const yawed = warpLines(img, depth, yawDeg, zc, "row");
  return pitchDeg === 0 ? yawed.img : warpLines(yawed.img, yawed.depth, pitchDeg, zc, "column").img;
}

function warpLines(
  img: RgbImage,
  depth: Float32Array,
  deg: number,
  zc: number,
  dir: "row" | "column",
): { img: RgbImage; depth: Float32Array } {
  const { width, height } = img;
  const a = (deg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const lines = dir === "row" ? height : width;
  const len = dir === "row" ? width : height;
  const centre = len / 2;
  const rgb = new Uint8Array(img.rgb.length);
  const outDepth = new Float32Array(depth.length).fill(Number.POSITIVE_INFINITY);
  const pos = new Float64Array(len);
  const dep = new Float64Array(len);
  const filled = new Uint8Array(len);
  const zbuf = new Float64Array(len);
  for (let line = 0; line < lines; line++) {
    const idx = (i: number) => (dir === "row" ? line * width + i : i * width + line);
    for (let i = 0; i < len; i++) {
      const z = depth[idx(i)] ?? 0;
      const p = i - centre;
      const dz = z - zc;
      pos[i] = centre + p * cos + dz * sin;
      dep[i] = -p * sin + dz * cos;
    }
    filled.fill(0);
    zbuf.fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i + 1 < len; i++) {
      const p0 = pos[i] ?? 0;
      const p1 = pos[i + 1] ?? 0;
      if (p1 <= p0) continue; // folded away: the back of a slope
      for (let t = Math.max(0, Math.ceil(p0)); t < p1 && t < len; t++) {
        const f = (t - p0) / (p1 - p0);
        const d = (dep[i] ?? 0) * (1 - f) + (dep[i + 1] ?? 0) * f;
        if (d >= (zbuf[t] ?? Number.POSITIVE_INFINITY)) continue;
        zbuf[t] = d;
        filled[t] = 1;
        const o = idx(t);
        outDepth[o] = d + zc;
        const s0 = idx(i) * 3;
        const s1 = idx(i + 1) * 3;
        for (let c = 0; c < 3; c++)
          rgb[o * 3 + c] = clampByte((img.rgb[s0 + c] ?? 0) * (1 - f) + (img.rgb[s1 + c] ?? 0) * f);
      }
    }
    // gaps (at the ends, or where the strip stretched): the nearest filled pixel before, else after
    const first = filled.indexOf(1);
    if (first < 0) continue;
    let last = first;
    for (let t = 0; t < len; t++) {
      if (filled[t]) {
        last = t;
        continue;
      }
      const o = idx(t);
      const s = idx(t < first ? first : last);
      outDepth[o] = outDepth[s] ?? 0;
      for (let c = 0; c < 3; c++) rgb[o * 3 + c] = rgb[s * 3 + c] ?? 0;
    }
  }
  return { img: { width, height, rgb }, depth: outDepth };
}

/** The yaw/pitch steps of a head turning slightly (the simulator's "real" burst). */
export const TURN_STEPS: readonly { yaw: number; pitch: number }[] = [
  { yaw: 0, pitch: 0 },
  { yaw: 4, pitch: 1 },
  { yaw: 8, pitch: 2 },
  { yaw: 11, pitch: 2 },
];

/** The poses of a photo or a phone held up and moved: tilted, turned and shifted as a hand does. */
export const HELD_STEPS: readonly PlanePose[] = [
  { yaw: 0, pitch: 0 },
  { yaw: 8, pitch: 3, roll: 2, tx: 0.02 },
  { yaw: 15, pitch: 6, roll: 3, tx: 0.04, tz: -0.05 },
  { yaw: 20, pitch: 4, roll: 5, tx: 0.05, ty: 0.02, tz: -0.1 },
];
