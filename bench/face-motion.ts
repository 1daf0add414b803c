import { childJson } from "./face-rates.ts";
import { type BenchResult, result, round } from "./report.ts";

type Verdicts = Record<string, number>;
interface Motion {
  genuine: number;
  verdicts: Record<string, Verdicts>;
  meshMs: { median: number };
}

/**
 * face.motion: the burst check (device/face/liveness) at the default thresholds over the shipped
 * faces (bench/face-motion-child.ts): the share of 2.5D turning faces judged live, beside the share
 * of the colour print and screen replay attacks, held up and moved as planes, judged live (let
 * through by this check) in the same run. Simulations both: docs/face.md says what that shows.
 */
export async function benchFaceMotion(): Promise<BenchResult[]> {
  const m = await childJson<Motion>("face-motion-child.ts");
  const share = (kind: string, verdict: string) => {
    const v = m.verdicts[kind] ?? {};
    const n = Object.values(v).reduce((a, b) => a + b, 0);
    return round((v[verdict] ?? 0) / n, 3);
  };
  const live = { name: "2.5D turning faces judged live, same run", value: share("turn", "live") };
  return [
    result({
      name: "face.motion.turn",
      metric: "live",
      value: share("turn", "live"),
      unit: "share of 2.5D turning genuine faces (to 11° yaw) judged live",
      params: { faces: m.genuine, ...m.verdicts.turn, mesh_ms: m.meshMs.median },
    }),
    ...(["colour-print.moved", "screen-replay.moved"] as const).map((kind) =>
      result({
        name: `face.motion.${kind}`,
        metric: "live",
        value: share(kind, "live"),
        unit: "share of attacks held up and moved (to 20° tilt) judged live: let through by this check",
        baseline: live,
        params: { ...m.verdicts[kind] },
      }),
    ),
  ];
}
