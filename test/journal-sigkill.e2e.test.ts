import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventSubscriber } from "./support/event-subscriber.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * Power cuts, as near as a test gets: the controller is killed with SIGKILL at random points of
 * a burst of events, over and over. After each kill the journal must pass SQLite's integrity
 * check, nothing the journal had not committed may have been published, and after the restart
 * the central server's persistent subscriber must end with every event the journal had
 * committed — duplicates only ever with the same id.
 */
const SCRIPT = resolve(import.meta.dirname, "support", "burst-station.ts");
const KILLS = 22;

function startStation(file: string, quiet = false): { proc: ChildProcess; ready: Promise<void> } {
  const proc = spawn(process.execPath, ["--import", "tsx", SCRIPT, file, ...(quiet ? ["--quiet"] : [])], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stderr?.on("data", (d) => {
    err += d;
  });
  const ready = new Promise<void>((res, rej) => {
    proc.stdout?.on("data", (d) => {
      out += d;
      if (/"msg":"(burst|quiet)"/.test(out)) res();
    });
    proc.once("exit", (code) => rej(new Error(`station exited (${code}) before it was ready: ${err}${out}`)));
  });
  return { proc, ready };
}

function killed(proc: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return res();
    proc.once("exit", () => res());
    proc.kill("SIGKILL");
  });
}

/** What a technician would check after a power cut: the file is sound; what it committed. */
function inspectJournal(file: string): { integrity: string; lastSeq: number; rows: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(db.pragma("integrity_check", { simple: true }));
    const lastSeq =
      (db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number } | undefined)
        ?.value ?? 0;
    const rows = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
    return { integrity, lastSeq, rows };
  } finally {
    db.close();
  }
}

describe(`the controller killed with SIGKILL ${KILLS} times during a burst`, () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const broker = new Mosquitto();
  let subscriber: EventSubscriber;
  let running: ChildProcess | undefined;

  beforeAll(async () => {
    await broker.start();
    subscriber = new EventSubscriber(broker.url);
    await subscriber.start();
  });

  afterAll(async () => {
    if (running) await killed(running);
    await subscriber?.stop();
    await broker.stop();
  });

  it("loses nothing the journal committed, and the journal stays sound", { timeout: 420_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-sigkill-"));
    const file = writeStationFile(dir, { brokerUrl: broker.url, extra: "journal: { maxEvents: 1000000 }" });
    const journalFile = join(dir, "data", "journal.db");
    let committed = 0;
    const history: { lastSeq: number; rows: number }[] = [];

    for (let i = 0; i < KILLS; i++) {
      const station = startStation(file);
      running = station.proc;
      await station.ready;
      // Everything committed before the previous kill arrives after this restart.
      await subscriber.waitForAll(committed, 20_000);
      const seen = subscriber.received.length;
      const more = 50 + Math.floor(Math.random() * 1500);
      await waitFor(() => subscriber.received.length >= seen + more, `${more} more events`, 20_000);
      await killed(station.proc);
      running = undefined;

      const j = inspectJournal(journalFile);
      expect(j.integrity).toBe("ok");
      expect(j.lastSeq).toBeGreaterThanOrEqual(committed);
      // Published only from the journal: nothing beyond what was committed can have gone out.
      const highest = subscriber.received.reduce((m, e) => Math.max(m, e.seq), 0);
      expect(highest).toBeLessThanOrEqual(j.lastSeq);
      committed = j.lastSeq;
      history.push({ lastSeq: j.lastSeq, rows: j.rows });
    }

    const last = startStation(file, true);
    running = last.proc;
    await last.ready;
    await subscriber.waitForAll(committed, 30_000);
    last.proc.kill("SIGTERM");
    await new Promise((res) => last.proc.once("exit", res));
    running = undefined;

    expect(subscriber.conflicts()).toEqual([]);
    expect(subscriber.missing(committed)).toEqual([]);
    expect(inspectJournal(journalFile).integrity).toBe("ok");
    // The kills did land mid-delivery: some restarts had a backlog to replay.
    expect(history.some((h) => h.rows > 0)).toBe(true);
    expect(subscriber.received.some((e) => e.replayed)).toBe(true);
  });
});
