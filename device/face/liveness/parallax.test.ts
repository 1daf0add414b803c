import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyHomography,
  fitHomography,
  homographyResidual,
  judgeMotion,
  motionEvidence,
  type Pt,
  similarityResidual,
} from "./parallax.ts";

type P3 = readonly [number, number, number];

/** A pinhole camera at the origin looking down +z, focal length f px, principal point (320, 240). */
function project(pts: readonly P3[], f = 600): Pt[] {
  return pts.map(([x, y, z]) => [320 + (f * x) / z, 240 + (f * y) / z] as const);
}

/** Rotate by yaw (about y) and pitch (about x), degrees, about `centre`, then shift by `t`. */
function move(pts: readonly P3[], yaw: number, pitch: number, centre: P3, t: P3 = [0, 0, 0]): P3[] {
  const a = (yaw * Math.PI) / 180;
  const b = (pitch * Math.PI) / 180;
  return pts.map(([x0, y0, z0]) => {
    const x = x0 - centre[0];
    const y = y0 - centre[1];
    const z = z0 - centre[2];
    const x1 = x * Math.cos(a) + z * Math.sin(a);
    const z1 = -x * Math.sin(a) + z * Math.cos(a);
    const y2 = y * Math.cos(b) - z1 * Math.sin(b);
    const z2 = y * Math.sin(b) + z1 * Math.cos(b);
    return [x1 + centre[0] + t[0], y2 + centre[1] + t[1], z2 + centre[2] + t[2]] as const;
  });
}

/** A grid of points on a flat card 0.15 x 0.2 m, `distance` m from the camera (a photo, a phone). */
function card(distance: number): P3[] {
  const out: P3[] = [];
  for (let i = 0; i < 12; i++)
    for (let j = 0; j < 14; j++) out.push([-0.075 + (0.15 * i) / 11, -0.1 + (0.2 * j) / 13, distance]);
  return out;
}

/**
 * A face-shaped cloud: the front half of an ellipsoid 15 x 20 x 10 cm (cheeks and jaw fall back
 * by up to 5 cm) with a nose 2.5 cm proud of it, `distance` m from the camera.
 */
function head(distance: number): P3[] {
  const out: P3[] = [];
  for (let i = 0; i < 14; i++)
    for (let j = 0; j < 16; j++) {
      const u = -0.9 + (1.8 * i) / 13;
      const v = -0.9 + (1.8 * j) / 15;
      if (u * u + v * v > 0.95) continue;
      const depth = 0.05 * Math.sqrt(1 - u * u - v * v);
      const nose = 0.025 * Math.exp(-((u / 0.18) ** 2 + ((v + 0.05) / 0.35) ** 2));
      out.push([0.075 * u, 0.1 * v, distance - depth - nose]);
    }
  return out;
}

const centreOf = (distance: number): P3 => [0, 0, distance + 0.05];

describe("homography fit", () => {
  it("recovers a known homography exactly", () => {
    const h = Float64Array.from([1.1, 0.05, 12, -0.03, 0.95, -7, 0.0004, -0.0002, 1]);
    const src: Pt[] = [];
    for (let i = 0; i < 20; i++) src.push([40 + ((i * 37) % 200), 30 + ((i * 53) % 180)]);
    const dst = src.map((p) => applyHomography(h, p));
    const fit = fitHomography(src, dst);
    expect(fit).toBeDefined();
    for (let i = 0; i < 9; i++) expect(fit?.[i]).toBeCloseTo(h[i] ?? 0, 8);
  });

  it("refuses too few points", () => {
    expect(fitHomography([[0, 0]], [[1, 1]])).toBeUndefined();
    expect(homographyResidual([[0, 0]], [[1, 1]])).toBe(Number.POSITIVE_INFINITY);
  });

  it("similarity residual is 0 under shift, rotation and scale, and not under a shear", () => {
    const src: Pt[] = [
      [0, 0],
      [10, 0],
      [0, 10],
      [7, 3],
    ];
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const sim = src.map(([x, y]) => [5 + 2 * (c * x - s * y), -3 + 2 * (s * x + c * y)] as const);
    expect(similarityResidual(src, sim)).toBeLessThan(1e-9);
    const shear = src.map(([x, y]) => [x + 0.3 * y, y] as const);
    expect(similarityResidual(src, shear)).toBeGreaterThan(0.5);
  });
});

describe("motion evidence from synthetic scenes through a pinhole camera", () => {
  const D = 0.6;
  const base = (pts: P3[]) => project(pts);
  const cases: { name: string; pts: P3[]; yaw: number; pitch: number; t?: P3; verdict: string }[] = [
    { name: "a card held still", pts: card(D), yaw: 0, pitch: 0, verdict: "no-motion" },
    {
      name: "a card slid 3 cm sideways",
      pts: card(D),
      yaw: 0,
      pitch: 0,
      t: [0.03, 0, 0],
      verdict: "no-motion",
    },
    { name: "a card tilted 10° (yaw)", pts: card(D), yaw: 10, pitch: 0, verdict: "planar" },
    { name: "a card tilted 20° and 10°", pts: card(D), yaw: 20, pitch: 10, verdict: "planar" },
    {
      name: "a card turned 15° and brought 10 cm closer",
      pts: card(D),
      yaw: 15,
      pitch: 0,
      t: [0, 0, -0.1],
      verdict: "planar",
    },
    { name: "a head held still", pts: head(D), yaw: 0, pitch: 0, verdict: "no-motion" },
    { name: "a head turning 5°", pts: head(D), yaw: 5, pitch: 0, verdict: "live" },
    { name: "a head turning 10°", pts: head(D), yaw: 10, pitch: 0, verdict: "live" },
    { name: "a head turning 15°", pts: head(D), yaw: 15, pitch: 0, verdict: "live" },
    { name: "a head nodding 8°", pts: head(D), yaw: 0, pitch: 8, verdict: "live" },
  ];
  const T = { minMotion: 0.004, minParallax: 0.004 };
  it.each(cases)("$name: $verdict", ({ pts, yaw, pitch, t, verdict }) => {
    const a = base(pts);
    const b = project(move(pts, yaw, pitch, centreOf(D), t));
    const e = motionEvidence([a, b]);
    if (pts.length === card(D).length && verdict !== "no-motion") expect(e.parallax).toBeLessThan(1e-7);
    expect(judgeMotion(e, T)).toBe(verdict);
  });

  it("a head's parallax grows with the turn, well above landmark rounding (1 px on a ~100 px face)", () => {
    const pts = head(D);
    const p = [5, 10, 15].map(
      (yaw) => motionEvidence([base(pts), project(move(pts, yaw, 0, centreOf(D)))]).parallax,
    );
    expect(p[0]).toBeGreaterThan(0.01);
    expect(p[1]).toBeGreaterThan(p[0] ?? 0);
    expect(p[2]).toBeGreaterThan(p[1] ?? 0);
  });

  it("one frame, or none: no evidence", () => {
    expect(motionEvidence([])).toEqual({ motion: 0, parallax: 0, frames: 0 });
    expect(judgeMotion(motionEvidence([base(head(D))]), T)).toBe("no-motion");
  });
});

describe("property: any homography of planar points leaves a residual below eps", () => {
  it("holds for random well-conditioned homographies and point sets", () => {
    const coord = fc.double({ min: 0, max: 400, noNaN: true });
    const small = fc.double({ min: -0.3, max: 0.3, noNaN: true });
    const persp = fc.double({ min: -0.0008, max: 0.0008, noNaN: true });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coord, coord), { minLength: 8, maxLength: 60 }),
        fc.tuple(small, small, small, small),
        fc.tuple(
          fc.double({ min: -50, max: 50, noNaN: true }),
          fc.double({ min: -50, max: 50, noNaN: true }),
        ),
        fc.tuple(persp, persp),
        (pts, [a, b, c, d], [tx, ty], [g, h]) => {
          // points spread enough to be a face (not all on a line)
          const spread = Math.max(...pts.map((p) => p[0])) - Math.min(...pts.map((p) => p[0]));
          const spreadY = Math.max(...pts.map((p) => p[1])) - Math.min(...pts.map((p) => p[1]));
          fc.pre(spread > 40 && spreadY > 40);
          const H = Float64Array.from([1 + a, b, tx, c, 1 + d, ty, g, h, 1]);
          const dst = pts.map((p) => applyHomography(H, p));
          fc.pre(dst.every(([x, y]) => Math.abs(x) < 1e5 && Math.abs(y) < 1e5));
          const e = motionEvidence([pts, dst]);
          return e.parallax < 1e-6;
        },
      ),
      { numRuns: 300 },
    );
  });
});
