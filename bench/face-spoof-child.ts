/**
 * The face-spoof bench's own process (run by path, never imported: the engine must not reach the
 * station's bundle). Prints one JSON line: the anti-spoof ("real") and liveness scores of the
 * shipped models on genuine faces and on the colour photo attacks made from them
 * (simulator/face/photo-attacks.ts), and at each threshold how many of each are refused.
 *
 * Honest limits (docs/face.md): every "genuine" face here is itself a photograph (the package's
 * screenshots), and every attack is a simulated re-capture, not a real one.
 */
import { FaceEngine } from "../device/face/face-engine.ts";
import { type PhotoAttack, photoAttack } from "../simulator/face/photo-attacks.ts";
import { genuineFaces } from "./face-genuine-set.ts";
import { round } from "./report.ts";

const ATTACKS: readonly PhotoAttack[] = ["screen-replay", "colour-print"];
const THRESHOLDS = [0.3, 0.4, 0.42, 0.5, 0.6, 0.7];
/** the station's defaults (config/sections/face.ts) */
const DEFAULTS = { antispoof: 0.42, liveness: 0.5 };

interface Scored {
  name: string;
  kind: "genuine" | PhotoAttack;
  real: number;
  live: number;
}

const engine = new FaceEngine();
await engine.load();
const scored: Scored[] = [];
/** faces the detector did not find: genuine ones are left out, attacks are counted apart */
const noFace: Record<string, number> = { genuine: 0, "screen-replay": 0, "colour-print": 0 };
for (const { name, img } of genuineFaces()) {
  const g = await engine.analyse(img);
  if (!g) {
    noFace.genuine = (noFace.genuine ?? 0) + 1;
    continue;
  }
  scored.push({ name, kind: "genuine", real: g.real, live: g.live });
  for (const kind of ATTACKS) {
    const a = await engine.analyse(photoAttack(img, kind));
    if (a) scored.push({ name, kind, real: a.real, live: a.live });
    else noFace[kind] = (noFace[kind] ?? 0) + 1;
  }
}

const KINDS = ["genuine", ...ATTACKS] as const;
const of = (kind: Scored["kind"]) => scored.filter((s) => s.kind === kind);
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => round(s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN, 3);
  return { n: s.length, min: q(0), p10: q(0.1), median: q(0.5), p90: q(0.9), max: q(1) };
};
const refused = (ok: (s: Scored) => boolean) =>
  Object.fromEntries(KINDS.map((k) => [k, of(k).filter((s) => !ok(s)).length]));
process.stdout.write(
  `${JSON.stringify({
    noFace,
    real: Object.fromEntries(KINDS.map((k) => [k, summary(of(k).map((s) => s.real))])),
    live: Object.fromEntries(KINDS.map((k) => [k, summary(of(k).map((s) => s.live))])),
    refusedByAntispoof: THRESHOLDS.map((t) => ({ t, ...refused((s) => s.real >= t) })),
    refusedByLiveness: THRESHOLDS.map((t) => ({ t, ...refused((s) => s.live >= t) })),
    refusedAtDefaults: refused((s) => s.real >= DEFAULTS.antispoof && s.live >= DEFAULTS.liveness),
    sampleFaces: scored
      .filter((s) => !s.name.startsWith("panel"))
      .map((s) => `${s.name}/${s.kind}: real ${round(s.real, 3)} live ${round(s.live, 3)}`),
  })}\n`,
);
process.exit(0);
