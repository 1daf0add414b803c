import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Database as Db } from "better-sqlite3";
import { StationError } from "../config/errors.ts";
import { ensurePrivateFile } from "../config/private-files.ts";

/**
 * One station, one process: an exclusive lock on the data directory, held for the life of the
 * process and released by the kernel when it dies, however it dies (SIGKILL, OOM, power cut).
 *
 * The lock is SQLite's own POSIX (fcntl) lock on `<dataDir>/instance.lock`, in exclusive locking
 * mode with a zero busy timeout: a second process gets SQLITE_BUSY at once. A lock file made
 * with O_EXCL or a bare pid file would survive a SIGKILL and need guessing (is that pid still
 * ours, or reused?); the kernel's lock needs none. Why this and not a Unix socket or a native
 * flock addon: docs/design-notes.md ("One station, one process").
 *
 * The holder's pid and start time go in `<dataDir>/instance.pid`, only to name it in the
 * message a second instance prints; the lock itself never trusts that file.
 */
export const LOCK_FILE = "instance.lock";
export const PID_FILE = "instance.pid";

export interface Holder {
  readonly pid: number;
  readonly since: string;
}

export interface InstanceLock {
  readonly file: string;
  release(): void;
}

export type LockAttempt =
  | { readonly status: "acquired"; readonly lock: InstanceLock }
  /** another live process holds it; `holder` when its pid file could be read */
  | { readonly status: "held"; readonly holder: Holder | undefined }
  /** the lock could not be tried at all (no data directory, read-only disk, no SQLite) */
  | { readonly status: "unavailable"; readonly detail: string };

function readHolder(dataDir: string): Holder | undefined {
  try {
    const h = JSON.parse(readFileSync(join(dataDir, PID_FILE), "utf8")) as Partial<Holder>;
    if (typeof h.pid !== "number" || !Number.isSafeInteger(h.pid) || h.pid <= 0) return undefined;
    try {
      process.kill(h.pid, 0);
    } catch (err) {
      // EPERM: alive, another user's. ESRCH: the file is stale (the holder wrote none of its own).
      if ((err as NodeJS.ErrnoException).code !== "EPERM") return undefined;
    }
    return { pid: h.pid, since: String(h.since ?? "") };
  } catch {
    return undefined;
  }
}

/**
 * Try to take the lock, never waiting. Loads better-sqlite3 lazily, so a caller that must work
 * without it (`waystation lock safe`) sees "unavailable" instead of failing to load.
 */
export async function tryInstanceLock(dataDir: string, now = new Date()): Promise<LockAttempt> {
  const file = join(dataDir, LOCK_FILE);
  let db: Db;
  try {
    const { default: Database } = await import("better-sqlite3");
    ensurePrivateFile(file);
    db = new Database(file, { timeout: 0 });
  } catch (err) {
    return { status: "unavailable", detail: String((err as Error).message ?? err) };
  }
  try {
    // Its content (the holder row) does not matter, only the lock: no journal file, no fsync.
    db.pragma("journal_mode = MEMORY");
    db.pragma("synchronous = OFF");
    db.pragma("locking_mode = EXCLUSIVE");
    // The first write takes the EXCLUSIVE lock; in exclusive locking mode it is kept until close.
    db.exec(
      "BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER, since TEXT); DELETE FROM holder;",
    );
    db.prepare("INSERT INTO holder VALUES (?, ?)").run(process.pid, now.toISOString());
    db.exec("COMMIT");
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED")
      return { status: "held", holder: readHolder(dataDir) };
    return { status: "unavailable", detail: String((err as Error).message ?? err) };
  }
  const pidFile = join(dataDir, PID_FILE);
  try {
    writeFileSync(`${pidFile}.tmp`, JSON.stringify({ pid: process.pid, since: now.toISOString() }), {
      mode: 0o600,
    });
    renameSync(`${pidFile}.tmp`, pidFile);
  } catch {
    // Only the message of a second instance needs it; the lock holds without it.
  }
  let held = true;
  return {
    status: "acquired",
    lock: {
      file,
      release() {
        if (!held) return;
        held = false;
        rmSync(pidFile, { force: true });
        db.close();
      },
    },
  };
}

/** The error a second instance exits with: who runs, and what to do. */
export function alreadyRunning(dataDir: string, holder: Holder | undefined): StationError {
  const who = holder
    ? `pid ${holder.pid}${holder.since ? `, running since ${holder.since}` : ""}`
    : "its pid is unknown";
  return new StationError(
    "STATION_ALREADY_RUNNING",
    "cli",
    `another waystation process already runs this station (${who}): it holds ${join(dataDir, LOCK_FILE)}. Nothing was driven.`,
    {
      hint: holder
        ? `stop it first (sudo systemctl stop waystation, or kill ${holder.pid}); a station file runs in one process only`
        : "stop the other waystation process first (sudo systemctl stop waystation)",
      holder,
    },
  );
}
