import { describe, expect, it } from "vitest";
import type { RgbImage } from "../../device/face/image-decode.ts";
import type { Pt } from "../../device/face/liveness/parallax.ts";
import { burstEvidence, toGrey } from "../../device/face/liveness/track.ts";
import { depthMap, HELD_STEPS, heldPlane, type Mesh, planePoint, turnHead } from "./motion-scenes.ts";

/** A texture of waves in several directions: every patch can be found again, in x and in y. */
function texture(width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v =
        128 +
        35 * Math.sin(0.23 * x + 0.11 * y) +
        25 * Math.sin(0.07 * x - 0.31 * y + 1) +
        20 * Math.sin(0.37 * x + (0.05 * y * y) / 50) +
        15 * Math.sin(-0.17 * x + 0.41 * y + 2);
      for (let c = 0; c < 3; c++)
        rgb[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v + c * 4)));
    }
  return { width, height, rgb };
}

/** A grid of "landmarks" over the face, with depths of a rounded face and a nose (pixels, negative nearer). */
function faceMesh(width: number, height: number): Mesh {
  const out: [number, number, number][] = [];
  for (let i = 0; i < 18; i++)
    for (let j = 0; j < 26; j++) {
      const x = width * (0.2 + (0.6 * i) / 17);
      const y = height * (0.15 + (0.7 * j) / 25);
      const u = (x - width / 2) / (width * 0.35);
      const v = (y - height / 2) / (height * 0.4);
      const dome = -0.35 * width * Math.sqrt(Math.max(0, 1 - u * u - v * v));
      const nose = -0.18 * width * Math.exp(-((u / 0.2) ** 2 + (v / 0.35) ** 2));
      out.push([x, y, dome + nose]);
    }
  return out;
}

const two = (m: Mesh): Pt[] => m.map(([x, y]) => [x, y] as const);

describe("bursts made for the motion check, judged by texture tracking", () => {
  const img = texture(160, 200);

  it("a card held and moved (HELD_STEPS): strong motion, residual near 0: a plane", () => {
    const mesh = two(faceMesh(img.width, img.height));
    const frames = HELD_STEPS.map((pose) => ({
      grey: toGrey(heldPlane(img, pose)),
      // the mesh model's landmarks where the card's points went (the tracker corrects them anyway)
      landmarks: mesh.map((p) => planePoint(img, pose, p)),
    }));
    const e = burstEvidence(frames);
    expect(e.pairs).toBe(3);
    expect(e.motion).toBeGreaterThan(0.03);
    expect(e.parallax).toBeLessThan(0.25 * e.motion);
    expect(e.parallax).toBeLessThan(0.01);
  });

  it("a head turned in 2.5D by 4, 8, 11°: parallax well above the plane's", () => {
    const mesh = faceMesh(img.width, img.height);
    const depth = depthMap(img.width, img.height, mesh);
    // the landmarks move as the render moves them (rows, about the centre behind the deepest point)
    let zmax = Number.NEGATIVE_INFINITY;
    for (const z of depth) zmax = Math.max(zmax, z);
    const zc = zmax + 0.5 * img.width;
    const frames = [0, 4, 8, 11].map((yaw) => {
      const a = (yaw * Math.PI) / 180;
      return {
        grey: toGrey(turnHead(img, depth, yaw, 0)),
        landmarks: mesh.map(
          ([x, y, z]) =>
            [img.width / 2 + (x - img.width / 2) * Math.cos(a) + (z - zc) * Math.sin(a), y] as const,
        ),
      };
    });
    const e = burstEvidence(frames);
    expect(e.pairs).toBe(3);
    expect(e.parallax).toBeGreaterThan(0.02);
    expect(e.parallax).toBeGreaterThan(0.25 * e.motion);
  });

  it("the same picture four times: no motion", () => {
    const mesh = two(faceMesh(img.width, img.height));
    const f = { grey: toGrey(img), landmarks: mesh };
    const e = burstEvidence([f, f, f, f]);
    expect(e.motion).toBeLessThan(1e-9);
  });
});
