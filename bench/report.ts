import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * One benchmark figure beside a baseline measured in the same run. `ratio` says how many times
 * better than the baseline we are (>1 is better), whichever direction the metric runs. A figure
 * with no real alternative to compare with (a peak RSS against its budget) has no baseline and
 * no ratio: a ratio to something that is not an alternative would only look like a result.
 */
export interface BenchResult {
  name: string;
  metric: string;
  value: number;
  unit: string;
  params: Record<string, unknown>;
  baseline?: { name: string; value: number };
  ratio?: number;
  /** the budget from the design brief, when there is one (and how far ahead of the baseline it must be) */
  budget?: { value: number; minRatio?: number; pass: boolean };
}

export function result(
  r: Omit<BenchResult, "ratio" | "budget">,
  opts: { higherIsBetter?: boolean; budget?: number; minRatio?: number } = {},
): BenchResult {
  const out: BenchResult = { ...r };
  if (r.baseline) {
    const ratio = opts.higherIsBetter ? r.value / r.baseline.value : r.baseline.value / r.value;
    out.ratio = round(ratio, 2);
  }
  if (opts.budget !== undefined) {
    const within = opts.higherIsBetter ? r.value >= opts.budget : r.value <= opts.budget;
    const ahead = opts.minRatio === undefined || (out.ratio ?? 0) >= opts.minRatio;
    out.budget = {
      value: opts.budget,
      ...(opts.minRatio === undefined ? {} : { minRatio: opts.minRatio }),
      pass: within && ahead,
    };
  }
  return out;
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** A benchmark's params on one line; a nested object as dotted keys (`cpu_us_per_event.mosquitto=4.2`). */
export function paramsText(params: Record<string, unknown>, prefix = ""): string {
  return Object.entries(params)
    .map(([k, v]) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? paramsText(v as Record<string, unknown>, `${prefix}${k}.`)
        : `${prefix}${k}=${Array.isArray(v) ? v.join(",") : String(v)}`,
    )
    .join(" ");
}

export function printTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    paramsText(r.params),
    `${r.metric} ${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)}` : "-",
    r.ratio === undefined ? "-" : `${r.ratio}x`,
    r.budget
      ? `${r.budget.pass ? "ok" : "OVER"} (budget ${fmt(r.budget.value)}${r.budget.minRatio ? `, >= ${r.budget.minRatio}x` : ""})`
      : "",
  ]);
  const head = ["benchmark", "params", "value", "baseline (same run)", "vs baseline", "budget"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1000) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

export function writeResults(dir: string, results: readonly BenchResult[]): string {
  const file = join(dir, "results.json");
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
