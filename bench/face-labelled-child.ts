/**
 * The labelled face-rates bench's own process (run by path, never imported: the engine must not
 * reach the station's bundle). Prints one JSON line.
 *
 * Labelled pairs, as far as labels can be had offline (docs/face.md says how small this is):
 *
 * - Genuine: one person, the package author, in different photographs: cells 2-9 of the first
 *   row of the extracted-faces panel of `screenshot-facematch.jpg` (labelled by eye; the first
 *   cell, at 100 %, is the probe photo itself and is left out) and his three sample faces from the
 *   other screenshots (simulator/face/sample-faces.ts). Every pair of them: new photographs, not
 *   altered copies, but all of one man.
 * - Impostor: his photographs against the three other people of `screenshot-facedetect.jpg`
 *   (woman-a, woman-b, the stranger), and those three against each other: certainly different
 *   people, though few.
 */
import { readFileSync } from "node:fs";
import { FaceEngine } from "../device/face/face-engine.ts";
import { cropImage, decodeImage } from "../device/face/image-decode.ts";
import { cosine } from "../device/face/matcher/vector.ts";
import { SAMPLE_FACES, sampleAssetPath, sampleFaceImage } from "../simulator/face/sample-faces.ts";
import { round } from "./report.ts";

const THRESHOLDS = [0.6, 0.65, 0.7, 0.75, 0.8];
/** a pair this similar may be one photograph twice (cropped differently): counted, not dropped */
const SAME_PHOTO = 0.97;

const engine = new FaceEngine();
await engine.load();
const sheet = decodeImage(readFileSync(sampleAssetPath("screenshot-facematch.jpg")));
const author: { name: string; e: Float32Array }[] = [];
const others: { name: string; e: Float32Array }[] = [];
let missed = 0;
for (let c = 1; c <= 8; c++) {
  const a = await engine.analyse(cropImage(sheet, Math.round((c * 1920) / 18), 280, 100, 100));
  if (a) author.push({ name: `panel 0:${c}`, e: a.embedding });
  else missed++;
}
for (const n of ["man.enrol", "man.probe", "man.probe2"] as const) {
  const a = await engine.analyse(sampleFaceImage(SAMPLE_FACES[n]));
  if (a) author.push({ name: n, e: a.embedding });
  else missed++;
}
for (const n of ["woman-a.enrol", "woman-b.enrol", "stranger"] as const) {
  const a = await engine.analyse(sampleFaceImage(SAMPLE_FACES[n]));
  if (a) others.push({ name: n, e: a.embedding });
  else missed++;
}
const pairs = <T>(xs: T[]) => xs.flatMap((x, i) => xs.slice(i + 1).map((y) => [x, y] as const));
const genuine = pairs(author).map(([x, y]) => cosine(x.e, y.e));
const impostor = [
  ...author.flatMap((x) => others.map((y) => cosine(x.e, y.e))),
  ...pairs(others).map(([x, y]) => cosine(x.e, y.e)),
];
// The station keeps up to 8 templates a person and a probe matches the best: each photograph as
// the probe against the others enrolled (leave one out).
const bestOfRest = author.map((x) => Math.max(...author.filter((y) => y !== x).map((y) => cosine(x.e, y.e))));
process.stdout.write(
  `${JSON.stringify({
    photographs: author.length,
    others: others.length,
    missed,
    genuinePairs: genuine.length,
    impostorPairs: impostor.length,
    maybeSamePhoto: genuine.filter((s) => s >= SAME_PHOTO).length,
    minGenuine: round(Math.min(...genuine), 3),
    medianGenuine: round([...genuine].sort((a, b) => a - b)[Math.floor(genuine.length / 2)] ?? 0, 3),
    maxImpostor: round(Math.max(...impostor), 3),
    rates: THRESHOLDS.map((t) => ({
      t,
      falseRejects: genuine.filter((s) => s < t).length,
      probeRejects: bestOfRest.filter((s) => s < t).length,
      falseAccepts: impostor.filter((s) => s >= t).length,
    })),
  })}\n`,
);
process.exit(0);
