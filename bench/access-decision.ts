import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import pino from "pino";
import type { CredentialEntry, CredentialStore } from "../controller/access/credential-store.ts";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { accessRig, BenchReader } from "./access-rig.ts";
import { benchCredential, credentialDb } from "./fixtures.ts";
import { type BenchResult, percentile, result, round } from "./report.ts";

/** The baseline: what a first attempt writes — a fresh, un-prepared SQL query for every read. */
class UnpreparedSqlStore implements CredentialStore {
  constructor(private readonly db: Database.Database) {}
  lookup(credential: string): CredentialEntry | undefined {
    const row = this.db
      .prepare("SELECT person_id, role, status FROM credentials WHERE hash = ?")
      .get(Buffer.from(credential, "hex")) as
      | { person_id: string; role: CredentialEntry["role"]; status: CredentialEntry["status"] }
      | undefined;
    return row
      ? { personId: row.person_id, role: row.role, status: row.status, secondFactor: false }
      : undefined;
  }
  get size(): number {
    return 0;
  }
}

const quiet = pino({ level: "silent" });

/**
 * p99 of read -> lock command over `samples` grants through the real access policy and door
 * code. Events are serialised as the MQTT sink would; the network is not on this path.
 */
async function measure(
  store: CredentialStore,
  n: number,
  samples: number,
): Promise<{ p50: number; p99: number }> {
  const clock = new ManualClock();
  const reader = new BenchReader();
  const rig = accessRig([reader], store, clock, quiet);
  const relay = rig.relay;
  await rig.start();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const credential = benchCredential(Math.floor(Math.random() * n));
    const t0 = performance.now();
    reader.reads.emit({
      readerId: "entry",
      kind: "card-uid",
      credential,
      format: "uid-4",
      atMs: clock.monotonic(),
    });
    const at = relay.commandedAt;
    if (at === undefined || at < t0) throw new Error("a known credential did not unlock the door");
    times.push(at - t0);
    clock.advance(5000); // the grant window runs out and the door relocks
  }
  await rig.stop();
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

export async function benchAccessDecision(sizes: readonly number[]): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const n of sizes) {
    const file = credentialDb(n);
    const store = new SqliteCredentialStore(file);
    store.open();
    const db = new Database(file, { readonly: true });
    try {
      const ours = await measure(store, n, 5000);
      const naive = await measure(new UnpreparedSqlStore(db), n, 5000);
      out.push(
        result(
          {
            name: "access.decision",
            metric: "p99_ms",
            value: round(ours.p99, 4),
            unit: "ms",
            params: {
              credentials: n,
              store: "sqlite, prepared point query",
              p50_ms: round(ours.p50, 4),
              baseline_p50_ms: round(naive.p50, 4),
            },
            baseline: { name: "one un-prepared SQL query per read", value: round(naive.p99, 4) },
          },
          { budget: 1 },
        ),
      );
    } finally {
      store.close();
      db.close();
    }
  }
  return out;
}
