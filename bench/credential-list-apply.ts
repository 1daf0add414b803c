import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import type { CredentialRecord } from "../controller/access/credential-store.ts";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";
import type { CredentialListEnvelope, ListEntry } from "../controller/contract/command-wire.ts";
import { CredentialLists } from "../controller/credentials/credential-lists.ts";
import { ListHash } from "../controller/credentials/list-hash.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { accessRig, BenchReader } from "./access-rig.ts";
import { benchCredential, credentialDb } from "./fixtures.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

const listEntry = (i: number): ListEntry => ({
  credential: benchCredential(10_000_000 + i),
  personId: `c${i}`,
  role: "worker",
  status: "active",
  secondFactor: false,
});

/**
 * Card decisions on the main thread's store connection, one every few milliseconds (a busy
 * door sees one a second), until `until` says stop. Latency: read to
 * lock command, through the real access policy and door code.
 */
async function decisions(store: SqliteCredentialStore, known: number, until: () => boolean, min: number) {
  const clock = new ManualClock();
  const reader = new BenchReader();
  const rig = accessRig([reader], store, clock, pino({ level: "silent" }));
  await rig.start();
  const times: number[] = [];
  while (times.length < min || !until()) {
    const t0 = performance.now();
    reader.reads.emit({
      readerId: "entry",
      kind: "card-uid",
      credential: benchCredential(Math.floor(Math.random() * known)),
      format: "uid-4",
      atMs: clock.monotonic(),
    });
    const at = rig.relay.commandedAt;
    if (at === undefined || at < t0) throw new Error("a known credential did not unlock the door");
    times.push(at - t0);
    clock.advance(5000);
    // Cards arrive now and then, not back to back: pace the reads (and leave the CPU to the apply).
    await sleep(2);
  }
  await rig.stop();
  times.sort((a, b) => a - b);
  return { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) ?? 0 };
}

/**
 * `credentials.apply_full`: a full central list of n entries applied to a store that already
 * holds `known` entries, by the worker thread in one transaction, while the door keeps deciding
 * (`access.decision.during_apply`). Baselines: the same n entries written by the store's own
 * upsert on the main thread (what the door would wait for), and the decisions with no apply.
 */
export async function benchCredentialListApply(n: number, known: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-lists-"));
  const file = join(dir, "credentials.db");
  copyFileSync(credentialDb(known), file);
  const store = new SqliteCredentialStore(file);
  store.open();
  // The list is hashed under the key the store records (a list under another key is refused).
  const keyFingerprint = "be0cbe0cbe0cbe0c";
  store.setKeyFingerprints(keyFingerprint, undefined);
  const lists = new CredentialLists(file);
  lists.open();
  try {
    // The central server's side: the whole list's hash first, then the chunks that carry it.
    const hash = new ListHash();
    for (let i = 0; i < n; i++) hash.add(listEntry(i));
    const perChunk = 500;
    const stageStart = performance.now();
    for (let c = 0; c * perChunk < n; c++) {
      const entries = Array.from({ length: Math.min(perChunk, n - c * perChunk) }, (_, k) =>
        listEntry(c * perChunk + k),
      );
      lists.stage({
        listVersion: 1,
        type: "full",
        chunk: { index: c, count: Math.ceil(n / perChunk) },
        entries,
        remove: [],
        listHash: hash.hex(),
        keyFingerprint,
      } as unknown as CredentialListEnvelope);
    }
    const staged = performance.now() - stageStart;

    const idle = await decisions(store, known, () => true, 3000);
    let done = false;
    const cpu0 = process.cpuUsage();
    const load0 = loadavg()[0] ?? 0;
    const t0 = performance.now();
    const applying = lists.apply(1, "full").then((r) => {
      done = true;
      return r;
    });
    const during = await decisions(store, known, () => done, 100);
    const applied = await applying;
    const applySeconds = (performance.now() - t0) / 1000;
    // The process's CPU time over the apply (the worker, and the door's decisions beside it): on
    // a shared machine the wall time is this stretched by whoever else runs.
    const cpu = process.cpuUsage(cpu0);
    const applyCpuS = (cpu.user + cpu.system) / 1e6;
    if (!applied.ok) throw new Error(`bench list apply failed: ${applied.code} ${applied.detail}`);
    if (store.lookup(listEntry(n - 1).credential)?.personId !== `c${n - 1}`)
      throw new Error("list not applied");

    // Baseline: the same entries through the store's upsert on the main thread.
    const records = function* (): Generator<CredentialRecord> {
      for (let i = 0; i < n; i++) yield { ...listEntry(i), credential: benchCredential(20_000_000 + i) };
    };
    const b0 = performance.now();
    store.upsert(records(), "central");
    const baselineSeconds = (performance.now() - b0) / 1000;

    return [
      result(
        {
          name: "credentials.apply_full",
          metric: "s",
          value: round(applySeconds, 2),
          unit: "s",
          params: {
            entries: n,
            storeAlready: known,
            chunks: Math.ceil(n / perChunk),
            stagingS: round(staged / 1000, 2),
            cpuS: round(applyCpuS, 2),
            loadavg: round(load0, 1),
          },
          baseline: {
            name: "store.upsert on the main thread (the door waits)",
            value: round(baselineSeconds, 2),
          },
        },
        { budget: 20 },
      ),
      result(
        {
          name: "access.decision.during_apply",
          metric: "p99_ms",
          value: round(during.p99, 3),
          unit: "ms",
          params: {
            decisions: during.n,
            p50_ms: round(during.p50, 4),
            max_ms: round(during.max, 2),
            credentials: known,
          },
          baseline: { name: "the same decisions, no apply running", value: round(idle.p99, 3) },
        },
        { budget: 10 },
      ),
    ];
  } finally {
    lists.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
