import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EventBus } from "../controller/events/event-bus.ts";
import { type JournalRow, SqliteJournal } from "../controller/journal/sqlite-journal.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import { Mosquitto, mosquittoDaemon } from "../test/support/mosquitto.ts";
import { type BenchResult, result, round } from "./report.ts";
import { bundleChild, SERVICE_ENV, SERVICE_NODE_FLAGS } from "./service.ts";

interface DrainFigures {
  count: number;
  published: number;
  left: number;
  drainPerS: number;
  drainCpuS: number;
  /** the whole controller process: main thread, journal worker, GC and libuv threads */
  processCpuS: number;
  brokerCpuS: number;
  naiveCount: number;
  naivePerS: number;
  rssBeforeMb: number;
  rssMaxMb: number;
  heapAfterGcMb: number;
}

/** The backlog a station holds after an outage: `count` access events, committed. */
export function fillJournal(file: string, count: number): void {
  const store = new SqliteJournal(file, {
    maxEvents: 10_000_000,
    maxBytes: 4 * 1024 ** 3,
    maxFileBytes: 8 * 1024 ** 3,
  });
  store.open();
  const bus = new EventBus("bench", "boot", new SystemClock(), () => {});
  let rows: JournalRow[] = [];
  bus.subscribe((e) => rows.push([e.seq, e.id, e.type, JSON.stringify(e)]));
  for (let i = 0; i < count; i++) {
    bus.emit("access.denied", {
      readerId: "entry",
      credential: "ab".repeat(32),
      format: "uid-4",
      reason: "unknown",
    });
    if (rows.length === 10_000) {
      store.append(rows, bus.lastSeq);
      rows = [];
    }
  }
  store.append(rows, bus.lastSeq);
  store.close();
}

/** The drain runs in a process of its own, bundled and with the service's flags, as a station runs. */
async function runChild(
  url: string,
  file: string,
  count: number,
  naive: number,
  brokerPid: number | undefined,
): Promise<DrainFigures> {
  const script = await bundleChild(
    resolve(import.meta.dirname, "mqtt-drain-child.ts"),
    "bench-mqtt-drain-child",
    true,
  );
  return new Promise((res, rej) => {
    const p = spawn(
      process.execPath,
      [
        ...SERVICE_NODE_FLAGS,
        "--expose-gc",
        script,
        url,
        file,
        String(count),
        String(naive),
        String(brokerPid ?? ""),
      ],
      { env: { ...process.env, ...SERVICE_ENV }, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return rej(new Error(`drain bench exited ${code}: ${out}`));
      res(JSON.parse(line) as DrainFigures);
    });
  });
}

/** A 100,000-event backlog from the journal to a local Mosquitto, every event acknowledged and removed. */
export async function benchMqttDrain(quick: boolean): Promise<BenchResult[]> {
  if (!mosquittoDaemon.path) {
    process.stderr.write(`mqtt.drain skipped: mosquitto missing (${mosquittoDaemon.install})\n`);
    return [];
  }
  const broker = new Mosquitto();
  await broker.start();
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-drain-"));
  try {
    const file = join(dir, "journal.db");
    fillJournal(file, 100_000);
    const f = await runChild(broker.url, file, 100_000, quick ? 10_000 : 30_000, broker.pid);
    if (f.published < f.count || f.left !== 0) {
      throw new Error(`drain incomplete: ${f.published} acknowledged, ${f.left} left in the journal`);
    }
    return [
      result(
        {
          name: "mqtt.drain",
          metric: "events_per_s",
          value: Math.round(f.drainPerS),
          unit: "events/s",
          params: {
            backlog: f.count,
            qos: 1,
            window: 256,
            broker: "mosquitto (local)",
            removed: "all",
            // what the rate would be with the main thread never waiting for a core
            main_thread_cpu_s: round(f.drainCpuS, 2),
            per_main_thread_cpu_s: Math.round(f.count / f.drainCpuS),
            // CPU per event of each process on the path (load-independent, unlike the rate)
            cpu_us_per_event: {
              main_thread: round((f.drainCpuS * 1e6) / f.count, 1),
              other_threads: round(((f.processCpuS - f.drainCpuS) * 1e6) / f.count, 1),
              mosquitto: round((f.brokerCpuS * 1e6) / f.count, 1),
            },
            loadavg_1m: round(loadavg()[0] ?? 0, 1),
          },
          baseline: {
            name: `sequential await publishAsync (${f.naiveCount} events)`,
            value: Math.round(f.naivePerS),
          },
        },
        { higherIsBetter: true, budget: 50_000, minRatio: 3 },
      ),
      result(
        {
          name: "mqtt.drain.rss",
          metric: "rss_mb",
          value: round(f.rssMaxMb, 1),
          unit: "MB",
          params: {
            backlog: f.count,
            process: "journal + worker + MQTT client, bundled, service flags",
            rss_before_drain_mb: round(f.rssBeforeMb, 1),
            heap_after_gc_mb: f.heapAfterGcMb,
          },
        },
        { budget: 100 },
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await broker.stop();
  }
}
