/**
 * The motion liveness bench's own process (run by path, never imported: the engine must not reach
 * the station's bundle). Prints one JSON line: for each genuine face of the set face-spoof-child.ts
 * uses (7 sample faces + 90 panel cells, those the detector finds), the verdict of the burst check
 * (device/face/liveness) at the default thresholds on
 *
 * - "turn": the face turning by TURN_STEPS (to 11° yaw, 2° pitch), 2.5D (simulator/face/motion-scenes.ts);
 * - "small-turn": the same to 3° yaw only;
 * - "still": the same picture four times (a person dead still, or a photo held still);
 * - "screen-replay.moved" / "colour-print.moved": the attacks of photo-attacks.ts held up and moved
 *   by HELD_STEPS (tilted to 20°, shifted, brought closer), exact plane homographies;
 * - "screen-replay.small-move": the screen tilted by 3° only.
 *
 * Every "real" burst is a rendering of a photograph on the mesh model's own depth estimate, not a
 * capture of a head: docs/face.md says what that does and does not show.
 */
import { performance } from "node:perf_hooks";
import { FaceEngine } from "../device/face/face-engine.ts";
import type { RgbImage } from "../device/face/image-decode.ts";
import { burstEvidence, toGrey } from "../device/face/liveness/track.ts";
import { depthMap, HELD_STEPS, heldPlane, TURN_STEPS, turnHead } from "../simulator/face/motion-scenes.ts";
import { photoAttack } from "../simulator/face/photo-attacks.ts";
import { genuineFaces } from "./face-genuine-set.ts";
import { round } from "./report.ts";

/** the station's defaults (config/sections/face.ts) */
const T = { minMotion: 0.015, minParallax: 0.02, minRatio: 0.25 };

const engine = new FaceEngine();
await engine.load();
type Verdict = "live" | "planar" | "no-motion" | "no-face";
const verdicts: Record<string, Record<Verdict, number>> = {};
const scores: Record<string, { motion: number; parallax: number }[]> = {};
const meshMs: number[] = [];

async function judge(kind: string, frames: RgbImage[]): Promise<void> {
  const bf = [];
  for (const f of frames) {
    const t0 = performance.now();
    const l = await engine.landmarks(f);
    meshMs.push(performance.now() - t0);
    if (l) bf.push({ grey: toGrey(f), landmarks: l.mesh.map(([x, y]) => [x, y] as const) });
  }
  verdicts[kind] ??= { live: 0, planar: 0, "no-motion": 0, "no-face": 0 };
  const v = verdicts[kind];
  if (bf.length === 0) {
    v["no-face"]++;
    return;
  }
  const e = burstEvidence(bf);
  scores[kind] ??= [];
  scores[kind].push({ motion: e.motion, parallax: e.parallax });
  const verdict: Verdict =
    e.pairs === 0 || e.motion < T.minMotion
      ? "no-motion"
      : e.parallax >= T.minParallax && e.parallax >= T.minRatio * e.motion
        ? "live"
        : "planar";
  v[verdict]++;
}

let genuine = 0;
// WAYSTATION_BENCH_FACES=n: only the first n faces (a quicker look while tuning)
const limit = Number(process.env.WAYSTATION_BENCH_FACES ?? "0") || Number.POSITIVE_INFINITY;
for (const { img } of genuineFaces().slice(0, limit)) {
  const a = await engine.analyse(img);
  if (!a) continue;
  genuine++;
  const depth = depthMap(img.width, img.height, a.mesh);
  await judge(
    "turn",
    TURN_STEPS.map((s) => turnHead(img, depth, s.yaw, s.pitch)),
  );
  await judge(
    "small-turn",
    [0, 1, 2, 3].map((yaw) => turnHead(img, depth, yaw, 0)),
  );
  await judge("still", [img, img, img, img]);
  for (const kind of ["screen-replay", "colour-print"] as const) {
    const card = photoAttack(img, kind);
    await judge(
      `${kind}.moved`,
      HELD_STEPS.map((p) => heldPlane(card, p)),
    );
    if (kind === "screen-replay")
      await judge(
        `${kind}.small-move`,
        [0, 1, 2, 3].map((yaw) => heldPlane(card, { yaw, pitch: 0, tx: yaw * 0.005 })),
      );
  }
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => round(s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN, 4);
  return { n: s.length, min: q(0), p10: q(0.1), median: q(0.5), p90: q(0.9), max: q(1) };
};
const sortedMesh = [...meshMs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    genuine,
    thresholds: T,
    verdicts,
    parallax: Object.fromEntries(
      Object.entries(scores).map(([k, v]) => [k, summary(v.map((x) => x.parallax))]),
    ),
    motion: Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, summary(v.map((x) => x.motion))])),
    ratio: Object.fromEntries(
      Object.entries(scores).map(([k, v]) => [
        k,
        summary(v.map((x) => x.parallax / Math.max(x.motion, 1e-9))),
      ]),
    ),
    // how each kind fares over a grid of thresholds (minParallax x minRatio, minMotion at its default)
    grid: [0.01, 0.015, 0.02, 0.025, 0.03].flatMap((minParallax) =>
      [0, 0.25, 0.3, 0.35, 0.4].map((minRatio) => ({
        minParallax,
        minRatio,
        live: Object.fromEntries(
          Object.entries(scores).map(([k, v]) => [
            k,
            v.filter(
              (x) =>
                x.motion >= T.minMotion && x.parallax >= minParallax && x.parallax >= minRatio * x.motion,
            ).length,
          ]),
        ),
      })),
    ),
    meshMs: { median: round(sortedMesh[Math.floor(sortedMesh.length / 2)] ?? 0, 1), n: sortedMesh.length },
  })}\n`,
);
process.exit(0);
