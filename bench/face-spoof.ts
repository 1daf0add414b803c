import { childJson } from "./face-rates.ts";
import { type BenchResult, result, round } from "./report.ts";

interface Spoof {
  noFace: Record<string, number>;
  real: Record<string, { n: number; median: number }>;
  live: Record<string, { n: number; median: number }>;
  refusedAtDefaults: Record<string, number>;
}

/**
 * face.spoof: what share of the colour photo attacks (simulator/face/photo-attacks.ts) the shipped
 * anti-spoof and liveness models refuse at the default thresholds, beside the share of genuine
 * faces they refuse in the same run (bench/face-spoof-child.ts says what the set is and is not).
 * Attacks in which no face was found are left out: they open nothing, but not thanks to the models.
 */
export async function benchFaceSpoof(): Promise<BenchResult[]> {
  const m = await childJson<Spoof>("face-spoof-child.ts");
  const share = (kind: string) => (m.refusedAtDefaults[kind] ?? 0) / (m.real[kind]?.n ?? Number.NaN);
  const genuine = { name: "genuine faces refused, same run", value: round(share("genuine"), 3) };
  return (["screen-replay", "colour-print"] as const).map((kind) =>
    result(
      {
        name: `face.spoof.${kind}`,
        metric: "refused",
        value: round(share(kind), 3),
        unit: "share of attacks refused by anti-spoof or liveness at the defaults",
        baseline: genuine,
        params: {
          attacks: m.real[kind]?.n ?? 0,
          no_face_found: m.noFace[kind] ?? 0,
          median_real: m.real[kind]?.median ?? Number.NaN,
          median_real_genuine: m.real.genuine?.median ?? Number.NaN,
          median_live: m.live[kind]?.median ?? Number.NaN,
          genuine_faces: m.real.genuine?.n ?? 0,
        },
      },
      { higherIsBetter: true },
    ),
  );
}
