import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { type BenchResult, result, round } from "./report.ts";

interface Rates {
  rates: { t: number; frr: number; farUpper: number; over: number }[];
  faces: number;
  missed: number;
  genuinePairs: number;
  impostorPairs: number;
  maxImpostor: number;
  minGenuine: number;
}

/** Run a bench child of this directory by path (so nothing of tfjs is imported here); its last JSON line. */
export function childJson<T>(file: string): Promise<T> {
  const script = resolve(import.meta.dirname, file);
  return new Promise<T>((res, rej) => {
    const p = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.once("exit", (code) => {
      if (code !== 0) return rej(new Error(`${file} exited ${code}: ${out}`));
      res(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as T);
    });
  });
}

/**
 * face.rates: false accepts and rejects of the shipped models over the package's extracted-faces
 * panel (bench/face-rates-child.ts says what the set is and is not). The engine runs in a child
 * started by path, so nothing of tfjs is imported here.
 */
export async function benchFaceRates(): Promise<BenchResult[]> {
  const m = await childJson<Rates>("face-rates-child.ts");
  const at = m.rates.find((r) => r.t === 0.7) ?? m.rates[0];
  const table = m.rates
    .map((r) => `${r.t}:frr=${round(r.frr, 4)},far<=${round(r.farUpper, 5)}(${r.over})`)
    .join(" ");
  return [
    result({
      name: "face.rates.frr",
      metric: "frr",
      value: round(at?.frr ?? Number.NaN, 4),
      unit: "false rejects at match 0.70 (altered copies, not new photographs)",
      params: {
        faces: m.faces,
        no_face_found: m.missed,
        genuine_pairs: m.genuinePairs,
        impostor_pairs: m.impostorPairs,
        max_impostor: m.maxImpostor,
        min_genuine: m.minGenuine,
        by_threshold: table,
      },
    }),
    result({
      name: "face.rates.far",
      metric: "far_upper",
      value: round(at?.farUpper ?? Number.NaN, 5),
      unit: "false accepts at match 0.70, upper bound (unlabelled: some pairs are one person)",
      params: { impostor_pairs: m.impostorPairs, over_threshold: at?.over ?? 0 },
    }),
    ...(await labelledRates()),
  ];
}

interface Labelled {
  photographs: number;
  others: number;
  missed: number;
  genuinePairs: number;
  impostorPairs: number;
  maybeSamePhoto: number;
  minGenuine: number;
  medianGenuine: number;
  maxImpostor: number;
  rates: { t: number; falseRejects: number; probeRejects: number; falseAccepts: number }[];
}

/** The labelled pairs (bench/face-labelled-child.ts): one man in different photographs, and four people. */
async function labelledRates(): Promise<BenchResult[]> {
  const m = await childJson<Labelled>("face-labelled-child.ts");
  const at = m.rates.find((r) => r.t === 0.7);
  const table = m.rates
    .map((r) => `${r.t}:fr=${r.falseRejects},probe_fr=${r.probeRejects},fa=${r.falseAccepts}`)
    .join(" ");
  return [
    result({
      name: "face.rates.labelled_frr",
      metric: "frr",
      value: round((at?.falseRejects ?? Number.NaN) / m.genuinePairs, 4),
      unit: "false rejects at match 0.70: one man, pairs of different photographs",
      params: {
        photographs: m.photographs,
        genuine_pairs: m.genuinePairs,
        maybe_same_photo: m.maybeSamePhoto,
        min_genuine: m.minGenuine,
        median_genuine: m.medianGenuine,
        no_face_found: m.missed,
        by_threshold: table,
      },
    }),
    result({
      name: "face.rates.labelled_far",
      metric: "far",
      value: round((at?.falseAccepts ?? Number.NaN) / m.impostorPairs, 4),
      unit: "false accepts at match 0.70: pairs of certainly different people (few)",
      params: { impostor_pairs: m.impostorPairs, people: m.others + 1, max_impostor: m.maxImpostor },
    }),
  ];
}
