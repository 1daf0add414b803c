import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { Gallery } from "../device/face/matcher/gallery.ts";
import { SyntheticPopulation } from "../device/face/matcher/synthetic-population.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

const DIM = 1024;

function timeEach<T>(items: readonly T[], f: (x: T) => void): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const x of items) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f(x);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { wall, cpu };
}

/**
 * face.match: 1:N over `n` synthetic 1,024-d templates (device/face/matcher/synthetic-population.ts).
 * The index (IVF over a sparse projection, int8 SIMD ranking, exact float32 re-rank) against the
 * naive baseline (an array of number arrays, float64, scanned in plain JavaScript); recall is the
 * index's top-1 against the exact SIMD scan's top-1 over genuine probes (another capture of an
 * enrolled face). Wall time on a shared machine includes waiting for a core, so the CPU time of
 * the same calls is reported beside it.
 */
export function benchFaceMatch(n: number, queries: number): BenchResult[] {
  const pop = new SyntheticPopulation(DIM, 256, 7);
  const gallery = new Gallery(DIM, undefined, n);
  const people: Float32Array[] = [];
  for (let i = 0; i < n; i++) people.push(pop.person());
  const t0 = performance.now();
  gallery.addMany(people.map((embedding, i) => ({ personId: `p${i}`, embedding })));
  const buildMs = performance.now() - t0;
  const probes = Array.from({ length: queries }, (_, i) => {
    const of = ((i * 7919) % n) as number;
    return { of, q: pop.capture(people[of] as Float32Array) };
  });
  // warm-up, not measured
  for (const p of probes.slice(0, 20)) gallery.identify(p.q);

  let hits = 0;
  let exactRight = 0;
  const fast = timeEach(probes, (p) => {
    gallery.identify(p.q);
  });
  for (const p of probes) {
    const got = gallery.identify(p.q);
    const want = gallery.exact(p.q);
    if (got?.personId === want?.personId) hits++;
    if (want?.personId === `p${p.of}`) exactRight++;
  }
  const exactProbes = probes.slice(0, Math.min(60, queries));
  const exact = timeEach(exactProbes, (p) => {
    gallery.exact(p.q);
  });
  // The baseline's 100,000 JS arrays (~800 MB of heap) are made only now: alive during the
  // index's timing, their garbage collections would be charged to it.
  const naive = people.map((p) => Array.from(p));
  const naiveProbes = probes.slice(0, Math.min(15, queries));
  const slow = timeEach(naiveProbes, (p) => {
    const q = Array.from(p.q);
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < naive.length; r++) {
      const row = naive[r] as number[];
      let s = 0;
      for (let i = 0; i < DIM; i++) s += (row[i] as number) * (q[i] as number);
      if (s > bestScore) {
        bestScore = s;
        best = r;
      }
    }
    if (best < 0) throw new Error("empty");
  });
  const recall = hits / probes.length;
  const params = {
    templates: n,
    dim: DIM,
    queries,
    build_s: round(buildMs / 1000, 1),
    cpu_p99_ms: round(percentile(fast.cpu, 99), 2),
    p50_ms: round(percentile(fast.wall, 50), 2),
    loadavg: round(loadavg()[0] ?? 0, 1),
  };
  return [
    result(
      {
        name: "face.match",
        metric: "p99_ms",
        value: round(percentile(fast.wall, 99), 2),
        unit: "ms",
        params,
        baseline: { name: "naive float64 number[][] scan p99", value: round(percentile(slow.wall, 99), 1) },
      },
      { budget: 5 },
    ),
    result(
      {
        name: "face.match.exact",
        metric: "p99_ms",
        value: round(percentile(exact.wall, 99), 1),
        unit: "ms",
        params: { templates: n, kernel: "wasm simd f32x4", cpu_p99_ms: round(percentile(exact.cpu, 99), 1) },
        baseline: { name: "naive float64 number[][] scan p99", value: round(percentile(slow.wall, 99), 1) },
      },
      {},
    ),
    result(
      {
        name: "face.match.recall",
        metric: "recall",
        value: round(recall, 4),
        unit: "top-1 vs exact",
        params: { queries, exact_top1_is_the_enrolled_person: round(exactRight / probes.length, 4) },
        baseline: { name: "exact scan", value: 1 },
      },
      { higherIsBetter: true, budget: 0.999 },
    ),
  ];
}
