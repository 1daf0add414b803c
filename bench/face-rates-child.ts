/**
 * The face-rates bench's own process (run by bench/face-rates.ts by path, never imported: the
 * engine must not reach the station's bundle, test/face-import-graph.test.ts). Prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { FaceEngine } from "../device/face/face-engine.ts";
import { cropImage, decodeImage, type RgbImage } from "../device/face/image-decode.ts";
import { mulberry32 } from "../device/face/matcher/prng.ts";
import { cosine } from "../device/face/matcher/vector.ts";
import { sampleAssetPath } from "../simulator/face/sample-faces.ts";
import { round } from "./report.ts";

/**
 * face.rates: false accept and false reject rates of the shipped models on the largest set of
 * faces available offline: the "extracted faces" panel of `screenshot-facematch.jpg` in the
 * @vladmandic/human package, 18 faces a row. Honest limits, also in docs/face.md:
 *
 * - Identities are not labelled. Some people appear in more than one cell (the panel is sorted
 *   by similarity to the package author: its first row is mostly him, so it is left out). Every
 *   pair of different cells is counted as an impostor pair, so the false accept figure is an
 *   UPPER bound: a pair over the threshold may be one person in two photographs.
 * - Genuine pairs are each face against two altered copies of itself (darker and shifted;
 *   mirrored, noisier and gamma-changed): the false reject figure says how the match survives a
 *   change of capture conditions, not a new photograph of the person a day later.
 * - The faces are ~100 px screenshots with the demo's text drawn at their corners.
 */
const ROWS = [1, 2, 3, 4, 5];
const COLS = 18;
const PITCH_X = 1920 / COLS;
const PITCH_Y = 110;
const TOP = 280;
const CELL = 100;
const RATE_THRESHOLDS = [0.6, 0.65, 0.7, 0.75, 0.8];

function alter(img: RgbImage, gain: number, gamma: number, noise: number, mirror: boolean, seed: number) {
  const next = mulberry32(seed);
  const rgb = new Uint8Array(img.rgb.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const from = (y * img.width + (mirror ? img.width - 1 - x : x)) * 3;
      const to = (y * img.width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = 255 * ((img.rgb[from + c] as number) / 255) ** gamma * gain + (next() - 0.5) * 2 * noise;
        rgb[to + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width: img.width, height: img.height, rgb };
}

async function measure() {
  const engine = new FaceEngine();
  await engine.load();
  const sheet = decodeImage(readFileSync(sampleAssetPath("screenshot-facematch.jpg")));
  const faces: { cell: string; self: Float32Array; altered: Float32Array[] }[] = [];
  let missed = 0;
  for (const r of ROWS) {
    for (let c = 0; c < COLS; c++) {
      const x = Math.round(c * PITCH_X);
      const y = TOP + r * PITCH_Y;
      const views = [
        cropImage(sheet, x, y, CELL, CELL),
        alter(cropImage(sheet, x + 6, y + 5, CELL, CELL), 0.7, 1, 0, false, 1),
        alter(cropImage(sheet, x, y, CELL, CELL), 1, 1.3, 12, true, 2),
      ];
      const got = [];
      for (const v of views) got.push(await engine.analyse(v));
      const [self, ...altered] = got;
      if (!self || altered.some((a) => !a)) {
        missed++;
        continue;
      }
      faces.push({
        cell: `${r}:${c}`,
        self: self.embedding,
        altered: altered.map((a) => (a as { embedding: Float32Array }).embedding),
      });
    }
  }
  const genuine = faces.flatMap((f) => f.altered.map((a) => cosine(f.self, a)));
  const impostor: number[] = [];
  for (let i = 0; i < faces.length; i++)
    for (let j = i + 1; j < faces.length; j++)
      impostor.push(
        cosine((faces[i] as { self: Float32Array }).self, (faces[j] as { self: Float32Array }).self),
      );
  const rates = RATE_THRESHOLDS.map((t) => ({
    t,
    frr: genuine.filter((s) => s < t).length / genuine.length,
    farUpper: impostor.filter((s) => s >= t).length / impostor.length,
    over: impostor.filter((s) => s >= t).length,
  }));
  return { rates, faces: faces.length, missed, genuine, impostor };
}

const m = await measure();
process.stdout.write(
  `${JSON.stringify({
    rates: m.rates,
    faces: m.faces,
    missed: m.missed,
    genuinePairs: m.genuine.length,
    impostorPairs: m.impostor.length,
    maxImpostor: round(Math.max(...m.impostor), 3),
    minGenuine: round(Math.min(...m.genuine), 3),
  })}\n`,
);
process.exit(0);
