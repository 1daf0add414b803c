import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Clock } from "../../device/ports/clock.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { CommandSpec, SelftestStep, Subsystem } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";

export interface SelftestItem {
  readonly id: string;
  readonly title: string;
  readonly subsystem: string;
  readonly ok: boolean;
  readonly skipped?: boolean;
  readonly detail: string;
  readonly hint?: string;
  readonly ms: number;
}

export interface CommissioningReport {
  readonly reportId: string;
  readonly stationId: string;
  readonly bootId: string;
  readonly version: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly attended: boolean;
  readonly ok: boolean;
  readonly counts: { passed: number; failed: number; skipped: number };
  readonly items: readonly SelftestItem[];
}

/** Reports kept in the data directory; older ones are removed (few writes, bounded space). */
const KEEP_REPORTS = 20;
/** A step that hangs is failed after this long, and the next one runs. */
const STEP_LIMIT_MS = 90_000;

export function reportText(r: CommissioningReport): string {
  const mark = (i: SelftestItem) => (i.skipped ? "SKIP" : i.ok ? "PASS" : "FAIL");
  const lines = [
    `Commissioning report ${r.reportId}`,
    `station ${r.stationId} · version ${r.version} · ${r.startedAt} · ${r.attended ? "attended" : "unattended"}`,
    "",
    ...r.items.flatMap((i) => [
      `${mark(i)}  ${i.title} (${i.id})`,
      `      ${i.detail}`,
      ...(i.hint && !i.ok ? [`      hint: ${i.hint}`] : []),
    ]),
    "",
    `${r.ok ? "PASSED" : "FAILED"}: ${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.skipped} skipped`,
    "",
  ];
  return lines.join("\n");
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Keep the report as JSON and text under `<dataDir>/commissioning/`; returns the JSON's relative path. */
export function saveReport(dataDir: string, r: CommissioningReport): string {
  const dir = join(dataDir, "commissioning");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = `selftest-${r.startedAt.replace(/[:.]/g, "-")}`;
  writeAtomic(join(dir, `${base}.json`), `${JSON.stringify(r, null, 2)}\n`);
  writeAtomic(join(dir, `${base}.txt`), reportText(r));
  const old = readdirSync(dir)
    .filter((f) => /^selftest-.*\.json$/.test(f))
    .sort()
    .slice(0, -KEEP_REPORTS);
  for (const f of old) {
    rmSync(join(dir, f), { force: true });
    rmSync(join(dir, f.replace(/\.json$/, ".txt")), { force: true });
  }
  return join("commissioning", `${base}.json`);
}

export interface SelftestHost {
  readonly subsystems: readonly Subsystem[];
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly stationId: string;
  readonly bootId: string;
  readonly version: string;
}

async function runStep(step: SelftestStep, progress: (l: string) => void, attended: boolean) {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<{ ok: false; detail: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, detail: `no answer within ${STEP_LIMIT_MS / 1000} s` }),
      STEP_LIMIT_MS,
    );
  });
  try {
    return await Promise.race([step.run({ progress, attended }), limit]);
  } catch (err) {
    return { ok: false, detail: `the step failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every subsystem's selftest steps in station order, one at a time, each with pass/fail, progress
 * as lines; the report is kept in the data directory and sent as `selftest.completed`.
 */
export async function runSelftest(
  host: SelftestHost,
  attended: boolean,
  progress: (line: string) => void,
): Promise<{ report: CommissioningReport; file: string }> {
  const reportId = randomUUID();
  const steps = host.subsystems.flatMap((s) => (s.selftestSteps ?? []).map((step) => ({ s, step })));
  const startedAt = new Date(host.clock.now()).toISOString();
  host.bus.emit("selftest.started", { reportId, attended, steps: steps.length });
  const items: SelftestItem[] = [];
  for (const [n, { s, step }] of steps.entries()) {
    progress(`[${n + 1}/${steps.length}] ${step.title} ...`);
    const t0 = host.clock.monotonic();
    const r = await runStep(step, (l) => progress(`      ${l}`), attended);
    const item: SelftestItem = {
      id: step.id,
      title: step.title,
      subsystem: s.name,
      ok: r.ok,
      ...("skipped" in r && r.skipped ? { skipped: true } : {}),
      detail: r.detail,
      ...("hint" in r && r.hint ? { hint: r.hint } : {}),
      ms: Math.round(host.clock.monotonic() - t0),
    };
    items.push(item);
    progress(`      ${item.skipped ? "SKIP" : item.ok ? "PASS" : "FAIL"}: ${item.detail}`);
  }
  const counts = {
    passed: items.filter((i) => i.ok && !i.skipped).length,
    failed: items.filter((i) => !i.ok).length,
    skipped: items.filter((i) => i.skipped).length,
  };
  const report: CommissioningReport = {
    reportId,
    stationId: host.stationId,
    bootId: host.bootId,
    version: host.version,
    startedAt,
    finishedAt: new Date(host.clock.now()).toISOString(),
    attended,
    ok: counts.failed === 0,
    counts,
    items,
  };
  let file = "";
  try {
    file = saveReport(host.dataDir, report);
  } catch (err) {
    progress(
      `could not keep the report in ${host.dataDir}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  host.bus.emit("selftest.completed", {
    reportId,
    ok: report.ok,
    ...counts,
    items: items.map((i) => ({
      id: i.id,
      ok: i.ok,
      ...(i.skipped ? { skipped: true } : {}),
      detail: i.detail,
    })),
    file,
  });
  return { report, file };
}

/** `selftest` as a station command: one at a time. */
export function selftestCommand(host: SelftestHost): CommandSpec {
  let running = false;
  return defineCommand({
    name: "selftest",
    summary: "exercise every subsystem's hardware (lock pulse, inputs, readers); a commissioning report",
    args: z.object({ attended: z.boolean().default(false) }).strict(),
    run: async ({ attended }, ctx) => {
      if (running)
        return { status: "error", code: "SELFTEST_BUSY", data: { detail: "a selftest is already running" } };
      running = true;
      try {
        const { report, file } = await runSelftest(host, attended, ctx.progress ?? (() => undefined));
        return {
          status: report.ok ? "ok" : "error",
          code: report.ok ? "PASSED" : "SELFTEST_FAILED",
          data: { report, file, text: reportText(report) },
        };
      } finally {
        running = false;
      }
    },
  });
}
