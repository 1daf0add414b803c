import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { EventBus } from "../controller/events/event-bus.ts";
import { Journal } from "../controller/journal/journal.ts";
import { type JournalRow, SqliteJournal } from "../controller/journal/sqlite-journal.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

const CREDENTIAL = "ab".repeat(32);

function journalFor(dir: string): Journal {
  return new Journal(
    {
      file: join(dir, "journal.db"),
      maxEvents: 10_000_000,
      maxBytes: 4 * 1024 * 1024 * 1024,
      maxFileBytes: 8 * 1024 * 1024 * 1024,
      warnRatio: 0.8,
      memoryEvents: 20_000,
      retryMs: 1000,
    },
    new SystemClock(),
    pino({ level: "silent" }),
  );
}

function denied(bus: EventBus): void {
  bus.emit("access.denied", {
    readerId: "entry",
    credential: CREDENTIAL,
    format: "uid-4",
    reason: "unknown",
  });
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/** Events emitted as fast as the producer can (in slices, so commits overlap), until all are durable. */
async function sustained(events: number): Promise<{ perS: number; emitP99Us: number }> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-journal-"));
  const journal = journalFor(dir);
  await journal.start();
  const bus = new EventBus("bench", "boot", new SystemClock(), () => {});
  bus.subscribe((e) => journal.append(e));
  const emitTimes: number[] = [];
  const t0 = performance.now();
  for (let done = 0; done < events; ) {
    for (let i = 0; i < 1000 && done < events; i++, done++) {
      const a = performance.now();
      denied(bus);
      if ((done & 63) === 0) emitTimes.push(performance.now() - a);
    }
    await tick();
  }
  while (journal.status().durableSeq < events) await new Promise((r) => setTimeout(r, 1));
  const seconds = (performance.now() - t0) / 1000;
  await journal.stop();
  rmSync(dir, { recursive: true, force: true });
  emitTimes.sort((a, b) => a - b);
  return { perS: events / seconds, emitP99Us: percentile(emitTimes, 99) * 1000 };
}

/** At a steady 50,000 events/s: how long from emit() until the event is on disk. */
export async function durableLatency(seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-journal-"));
  const journal = journalFor(dir);
  await journal.start();
  const bus = new EventBus("bench", "boot", new SystemClock(), () => {});
  bus.subscribe((e) => journal.append(e));
  const pending: [seq: number, at: number][] = [];
  const latencies: number[] = [];
  // Durable is when the worker's commit returned, not when the main thread hears of it.
  journal.onCommit(({ upTo, committedAt }) => {
    while (pending.length > 0 && (pending[0]?.[0] ?? Number.POSITIVE_INFINITY) <= upTo) {
      const p = pending.shift();
      if (p) latencies.push(committedAt - p[1]);
    }
  });
  const perMs = 50;
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor((performance.now() - start) * perMs);
    for (; sent < due; sent++) {
      denied(bus);
      if (sent % 50 === 0) pending.push([bus.lastSeq, performance.timeOrigin + performance.now()]);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  while (pending.length > 0) await new Promise((r) => setTimeout(r, 1));
  await journal.stop();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return percentile(latencies, 99);
}

/**
 * The latency baseline: the group commit a first attempt would write — a 10 ms timer that
 * commits what gathered, in the main thread — at the same rate, same file and settings.
 */
export async function timerGroupLatency(seconds: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-journal-"));
  const j = new SqliteJournal(join(dir, "journal.db"), {
    maxEvents: 10_000_000,
    maxBytes: 4 * 1024 * 1024 * 1024,
    maxFileBytes: 8 * 1024 * 1024 * 1024,
  });
  j.open();
  const bus = new EventBus("bench", "boot", new SystemClock(), () => {});
  let rows: JournalRow[] = [];
  const emitted = new Map<number, number>();
  const latencies: number[] = [];
  bus.subscribe((e) => rows.push([e.seq, e.id, e.type, JSON.stringify(e)]));
  const timer = setInterval(() => {
    const group = rows;
    rows = [];
    if (group.length === 0) return;
    j.append(group, group.at(-1)?.[0] ?? 0);
    const done = performance.now();
    for (const r of group) {
      const at = emitted.get(r[0]);
      if (at !== undefined) latencies.push(done - at);
    }
  }, 10);
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor((performance.now() - start) * 50);
    for (; sent < due; sent++) {
      denied(bus);
      if (sent % 50 === 0) emitted.set(bus.lastSeq, performance.now());
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 30));
  clearInterval(timer);
  j.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  return percentile(latencies, 99);
}

/** The baseline: the same SQLite file and settings, one transaction (one fsync) per event. */
function perEventTransactions(events: number): number {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-journal-"));
  const j = new SqliteJournal(join(dir, "journal.db"), {
    maxEvents: 10_000_000,
    maxBytes: 4 * 1024 * 1024 * 1024,
    maxFileBytes: 8 * 1024 * 1024 * 1024,
  });
  j.open();
  const bus = new EventBus("bench", "boot", new SystemClock(), () => {});
  bus.subscribe((e) => {
    const row: JournalRow = [e.seq, e.id, e.type, JSON.stringify(e)];
    j.append([row], e.seq);
  });
  const t0 = performance.now();
  for (let i = 0; i < events; i++) denied(bus);
  const seconds = (performance.now() - t0) / 1000;
  j.close();
  rmSync(dir, { recursive: true, force: true });
  return events / seconds;
}

function latencyInChild(seconds: number): Promise<{ ours: number; timer: number }> {
  const script = resolve(import.meta.dirname, "journal-latency-child.ts");
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, ["--import", "tsx", script, String(seconds)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.once("exit", (code) => {
      if (code !== 0) return rej(new Error(`latency bench exited ${code}: ${out}`));
      res(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as { ours: number; timer: number });
    });
  });
}

export async function benchJournalAppend(quick: boolean): Promise<BenchResult[]> {
  const events = quick ? 100_000 : 300_000;
  const ours = await sustained(events);
  const baseline = perEventTransactions(quick ? 1000 : 3000);
  const { ours: p99, timer: timerP99 } = await latencyInChild(quick ? 1 : 3);
  return [
    result(
      {
        name: "journal.append",
        metric: "events_per_s",
        value: Math.round(ours.perS),
        unit: "events/s",
        params: {
          events,
          fsync: "WAL synchronous=FULL",
          commit: "group, in a worker",
          emit_p99_us: round(ours.emitP99Us, 1),
        },
        baseline: { name: "one transaction per event", value: Math.round(baseline) },
      },
      { higherIsBetter: true, budget: 50_000 },
    ),
    result(
      {
        name: "journal.append.durable",
        metric: "p99_ms",
        value: round(p99, 2),
        unit: "ms",
        params: { rate: "50000 events/s", from: "emit()", to: "commit returned (fsync'd)" },
        baseline: { name: "10 ms timer group commit in the main thread", value: round(timerP99, 2) },
      },
      { budget: 10 },
    ),
  ];
}
