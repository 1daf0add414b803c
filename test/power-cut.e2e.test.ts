import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StationStateFile, stationStateFile } from "../controller/persist/station-state-file.ts";
import { freePort } from "./support/net.ts";
import { fuseStack, PowerCutFs } from "./support/powercut-fs.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * Power cuts. SIGKILL keeps the page cache, so only a file system that loses what was not
 * synced can show a missing fsync: the station runs on test/support/powercut-fs.py, the power
 * is cut at a random point of a burst of events and enrolments, and after each remount every
 * event the journal acknowledged as committed is there, seq has no gap, numbering goes on
 * after the last durable seq, every acknowledged enrolment is there, and both databases pass
 * SQLite's integrity check.
 */
const ROOT = resolve(import.meta.dirname, "..");
// Bundled, as a station runs in service: through tsx each of the 23 starts would cost seconds.
const CHILD = join(ROOT, "dist", "test-powercut", "powercut-station.mjs");
const CUTS = 22;

interface Run {
  proc: ChildProcess;
  ready: Promise<number>;
  durable: number;
  enrolled: string[];
  /** the last station-state save acknowledged (its lockout's untilMs) */
  saved: number;
  closed: Promise<void>;
}

function startStation(file: string): Run {
  const proc = spawn(process.execPath, [CHILD, file], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr?.on("data", (d) => {
    err += d;
  });
  const run: Run = {
    proc,
    ready: Promise.resolve(0),
    durable: 0,
    enrolled: [],
    saved: 0,
    closed: Promise.resolve(),
  };
  run.closed = new Promise((res) => proc.stdout?.once("close", () => res()));
  run.ready = new Promise<number>((res, rej) => {
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (line.startsWith("d ")) run.durable = Math.max(run.durable, Number(line.slice(2)));
      else if (line.startsWith("e ")) run.enrolled.push(line.slice(2));
      else if (line.startsWith("s ")) run.saved = Math.max(run.saved, Number(line.slice(2)));
      else if (line.startsWith("{")) res((JSON.parse(line) as { lastSeq: number }).lastSeq);
    });
    proc.once("exit", (code, signal) =>
      rej(new Error(`station exited (${code ?? signal}) before ready: ${err}`)),
    );
  });
  return run;
}

function inspect(dataDir: string): {
  integrity: string;
  seqs: number[];
  lastSeqMeta: number;
  credentials: Set<string>;
  credIntegrity: string;
} {
  const j = new Database(join(dataDir, "journal.db"), { fileMustExist: true });
  const c = new Database(join(dataDir, "credentials.db"), { fileMustExist: true });
  try {
    // A table that did not survive reads as empty: the assertions then say what was lost.
    const rows = <T>(db: Database.Database, table: string, sql: string): T[] =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(table)
        ? (db.prepare(sql).raw().all() as T[])
        : [];
    const seqs = rows<[number]>(j, "events", "SELECT seq FROM events ORDER BY seq").map((r) => r[0]);
    const meta = rows<[number]>(j, "meta", "SELECT value FROM meta WHERE key = 'last_seq'")[0]?.[0];
    const hashes = rows<[string]>(c, "credentials", "SELECT hex(hash) FROM credentials");
    return {
      integrity: String(j.pragma("integrity_check", { simple: true })),
      seqs,
      lastSeqMeta: meta ?? 0,
      credentials: new Set(hashes.map((h) => h[0].toLowerCase())),
      credIntegrity: String(c.pragma("integrity_check", { simple: true })),
    };
  } finally {
    j.close();
    c.close();
  }
}

describe(`the station on a file system whose power is cut ${CUTS} times during a burst`, () => {
  if (!realStackAvailable(fuseStack)) return;

  const root = mkdtempSync(join(tmpdir(), "ws-powercut-"));
  const medium = join(root, "medium");
  const mnt = join(root, "mnt");
  // The data directory exists before the first start, as the installer makes it (0700: the station
  // refuses a data directory other users can read).
  mkdirSync(join(medium, "disk", "data"), { recursive: true, mode: 0o700 });
  mkdirSync(mnt);
  const fs = new PowerCutFs(medium, mnt);
  let running: Run | undefined;

  beforeAll(async () => {
    const build = (await import(join(ROOT, "scripts", "build.mjs"))) as {
      bundle: (entry: string, out: string) => Promise<void>;
      bundleJournalWorker: (out: string) => Promise<void>;
    };
    await build.bundle(join(ROOT, "test", "support", "powercut-station.ts"), CHILD);
    await build.bundleJournalWorker(join(dirname(CHILD), "journal-worker.cjs"));
  });

  afterAll(async () => {
    running?.proc.kill("SIGKILL");
    await fs.cut().catch(() => undefined);
    await fs.unmount();
  });

  it("keeps every acknowledged event and enrolment, gap-free and sound", { timeout: 240_000 }, async () => {
    const brokerUrl = `mqtt://127.0.0.1:${await freePort()}`;
    const file = writeStationFile(join(root, "conf"), {
      brokerUrl,
      dataDir: join(mnt, "data"),
      extra: "journal: { maxEvents: 1000000 }",
    });
    let durable = 0;
    const enrolled: string[] = [];
    let saved = 0;
    let recovered = 0;

    for (let i = 0; i <= CUTS; i++) {
      await fs.mount();
      if (i > 0) {
        const after = inspect(join(mnt, "data"));
        expect(after.integrity).toBe("ok");
        expect(after.credIntegrity).toBe("ok");
        // Nothing is delivered (no broker), so every event since the first is still there.
        const missing = [];
        for (let seq = 1; seq <= durable; seq++) if (after.seqs[seq - 1] !== seq) missing.push(seq);
        expect(missing.slice(0, 5), `cut ${i}: durable events missing (of ${durable})`).toEqual([]);
        const last = after.seqs.at(-1) ?? 0;
        expect(after.seqs.length, `cut ${i}: seq has a gap`).toBe(last);
        expect(after.lastSeqMeta).toBeGreaterThanOrEqual(durable);
        const gone = enrolled.filter((h) => !after.credentials.has(h));
        expect(gone.slice(0, 3), `cut ${i}: acknowledged enrolments missing`).toEqual([]);
        // The station-state file: never torn, and the last acknowledged save is there, or a later one.
        const own = new StationStateFile(join(mnt, "data", "powercut-state.json")).load();
        expect(
          own.problems.map((p) => p.describe()),
          `cut ${i}: station-state file`,
        ).toEqual([]);
        const untilMs = own.state.lockouts.entry?.untilMs ?? 0;
        expect(untilMs, `cut ${i}: acknowledged state save lost`).toBeGreaterThanOrEqual(saved);
        expect(own.state.fire).toBe(untilMs % 2 === 0 ? "off" : "latched");
        const station = new StationStateFile(stationStateFile(join(mnt, "data"))).load();
        expect(
          station.problems.map((p) => p.describe()),
          `cut ${i}: the station's own state file`,
        ).toEqual([]);
        recovered += last - durable;
        durable = Math.max(durable, last);
      }
      if (i === CUTS) break;

      const run = startStation(file);
      running = run;
      const lastSeq = await run.ready;
      // The bus numbers on after everything that was durable: no seq is used twice.
      expect(lastSeq).toBeGreaterThanOrEqual(durable);
      const before = run.durable;
      await waitFor(() => run.durable > before, "a first commit", 20_000);
      const ms = 50 + Math.floor(Math.random() * 600);
      await new Promise((r) => setTimeout(r, ms));
      await fs.cut();
      run.proc.kill("SIGKILL");
      await run.closed;
      running = undefined;
      await fs.unmount();
      expect(run.durable).toBeGreaterThan(durable);
      durable = run.durable;
      enrolled.push(...run.enrolled);
      saved = Math.max(saved, run.saved);
    }
    await fs.unmount();
    // The burst went on past the last commit at most cuts: what was lost was never acknowledged.
    console.info(
      `power-cut: ${CUTS} cuts, ${durable} events, ${enrolled.length} enrolments, ${saved} state saves, ${recovered} events committed but not yet acknowledged when the power went`,
    );
    expect(enrolled.length).toBeGreaterThan(CUTS);
    expect(saved).toBeGreaterThan(CUTS);
  });
});
