import { existsSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ensurePrivateDir, ensurePrivateFile } from "../../config/private-files.ts";
import { type PackedRows, packRows } from "./event-page.ts";

/** One event as the journal stores it: its seq, id, type and the JSON published as is. */
export type JournalRow = [seq: number, id: string, type: string, json: string];

export interface JournalLimits {
  maxEvents: number;
  maxBytes: number;
  maxFileBytes: number;
  /**
   * delivered events kept as local history (`waystation events`, the console's log) beyond the
   * delivered watermark; 0 deletes them once acknowledged
   */
  keepDelivered?: number;
}

export interface OpenReport {
  lastSeq: number;
  /** every event up to here was acknowledged by the broker (rows at or below it are history) */
  deliveredSeq: number;
  droppedTotal: number;
  count: number;
  bytes: number;
  corrupt?: { movedTo: string; detail: string; salvagedSeq: number };
}

export interface Counts {
  count: number;
  bytes: number;
  droppedTotal: number;
}

export interface AppendReport extends Counts {
  dropped?: { count: number; fromSeq: number; toSeq: number };
  /** when the commit returned (performance.timeOrigin + performance.now(), ms): durable from then */
  committedAt: number;
}

const SCHEMA_VERSION = 1;
/**
 * What delivery appends to an event it sends again after a reconnect (`replayed: true`, the last
 * key). Done in SQL for a backlog read from disk, in the worker, so that draining a backlog does
 * not build a second copy of every payload on the door's thread.
 */
export const REPLAYED_SUFFIX = ',"replayed":true}';
/** the page cache of each journal connection, KiB */
const CACHE_KIB = 2048;
/** delivered history is pruned once it is this much over `keepDelivered` (one DELETE a batch) */
const PRUNE_BATCH = 4096;

/**
 * The journal's SQLite file, used synchronously. It runs inside the journal worker so that no
 * fsync ever blocks the door's event loop. WAL + synchronous=FULL: a commit is on the medium
 * when it returns, and a power cut leaves either the whole group or none of it.
 */
export class SqliteJournal {
  private db: Database.Database | undefined;
  private counts: Counts = { count: 0, bytes: 0, droppedTotal: 0 };
  private lastSeq = 0;
  /** the delivered watermark (meta delivered_seq) and how many rows at or below it are kept */
  private deliveredSeq = 0;
  private deliveredRows = 0;
  private stmts:
    | {
        insert: Database.Statement;
        setMeta: Database.Statement;
        read: Database.Statement;
        countUpTo: Database.Statement;
        nthDelivered: Database.Statement;
        sizeUpTo: Database.Statement;
        deleteUpTo: Database.Statement;
        dropUpTo: Database.Statement;
        oldest: Database.Statement;
      }
    | undefined;

  constructor(
    readonly file: string,
    private readonly limits: JournalLimits,
  ) {}

  /** Open, check and prepare. A damaged file is moved aside (never deleted) and a fresh one started. */
  open(): OpenReport {
    ensurePrivateDir(dirname(this.file));
    let corrupt: OpenReport["corrupt"];
    if (existsSync(this.file)) {
      const problem = this.check("quick_check");
      if (problem) corrupt = this.moveAside(problem);
    }
    ensurePrivateFile(this.file);
    const db = new Database(this.file);
    this.db = db;
    try {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal")
        throw Object.assign(new Error(`journal_mode is ${mode}`), { code: "SQLITE_CANTOPEN" });
      db.pragma("synchronous = FULL");
      // better-sqlite3 builds SQLite with a 16 MB page cache per connection; the journal appends at
      // one end and reads and deletes at the other, so a large cache only holds pages it will not
      // read again (measured: the 100,000-event drain's RSS, docs/design-notes.md "Memory").
      db.pragma(`cache_size = -${CACHE_KIB}`);
      const pageSize = Number(db.pragma("page_size", { simple: true }));
      db.pragma(`max_page_count = ${Math.max(16, Math.floor(this.limits.maxFileBytes / pageSize))}`);
      db.pragma("journal_size_limit = 67108864");
      db.exec(`
        CREATE TABLE IF NOT EXISTS events (
          seq INTEGER PRIMARY KEY,
          id TEXT NOT NULL,
          type TEXT NOT NULL,
          payload TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      `);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      const meta = (key: string) =>
        (db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: number } | undefined)
          ?.value ?? 0;
      // Rows at or below the watermark are delivered history: not backlog, not in the budget.
      this.deliveredSeq = meta("delivered_seq");
      const agg = db
        .prepare(
          "SELECT count(*) AS n, coalesce(sum(length(CAST(payload AS BLOB))), 0) AS b FROM events WHERE seq > ?",
        )
        .get(this.deliveredSeq) as { n: number; b: number };
      const all = db.prepare("SELECT count(*) AS n, max(seq) AS m FROM events").get() as {
        n: number;
        m: number | null;
      };
      this.deliveredRows = all.n - agg.n;
      this.lastSeq = Math.max(meta("last_seq"), all.m ?? 0, corrupt?.salvagedSeq ?? 0);
      this.counts = { count: agg.n, bytes: agg.b, droppedTotal: meta("dropped_total") };
      this.stmts = {
        insert: db.prepare("INSERT INTO events (seq, id, type, payload) VALUES (?, ?, ?, ?)"),
        setMeta: db.prepare(
          "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        ),
        read: db
          .prepare(
            `SELECT seq, CASE WHEN seq <= ? THEN substr(payload, 1, length(payload) - 1) || '${REPLAYED_SUFFIX}' ELSE payload END
             FROM events WHERE seq > ? ORDER BY seq LIMIT ?`,
          )
          .raw(),
        // Counted in SQL, then deleted: a RETURNING row per event made the drain's deletes a
        // fifth of the worker's time and its garbage.
        sizeUpTo: db
          .prepare(
            "SELECT count(*), coalesce(sum(length(CAST(payload AS BLOB))), 0) FROM events WHERE seq > ? AND seq <= ?",
          )
          .raw(),
        countUpTo: db.prepare("SELECT count(*) FROM events WHERE seq <= ?").pluck(),
        nthDelivered: db
          .prepare("SELECT seq FROM events WHERE seq <= ? ORDER BY seq DESC LIMIT 1 OFFSET ?")
          .pluck(),
        deleteUpTo: db.prepare("DELETE FROM events WHERE seq <= ?"),
        dropUpTo: db.prepare("DELETE FROM events WHERE seq <= ?"),
        oldest: db
          .prepare("SELECT seq, length(CAST(payload AS BLOB)) FROM events WHERE seq > ? ORDER BY seq")
          .raw(),
      };
      if (corrupt) this.stmts.setMeta.run("last_seq", this.lastSeq);
    } catch (err) {
      this.close();
      throw err;
    }
    return {
      lastSeq: this.lastSeq,
      deliveredSeq: this.deliveredSeq,
      ...this.counts,
      ...(corrupt ? { corrupt } : {}),
    };
  }

  /** Commit a group of events in one transaction (one fsync), enforcing the retention budget. */
  append(rows: readonly JournalRow[], lastSeq: number): AppendReport {
    const { db, stmts } = this.ready();
    let dropped: AppendReport["dropped"];
    db.transaction(() => {
      for (const row of rows) {
        stmts.insert.run(row[0], row[1], row[2], row[3]);
        // Delivered from memory while the disk was unwritable, committed after: history already.
        if (row[0] <= this.deliveredSeq) {
          this.deliveredRows++;
          continue;
        }
        this.counts.count++;
        this.counts.bytes += Buffer.byteLength(row[3]);
      }
      if (lastSeq > this.lastSeq) {
        this.lastSeq = lastSeq;
        stmts.setMeta.run("last_seq", lastSeq);
      }
      dropped = this.enforceBudget();
    })();
    return {
      ...this.counts,
      ...(dropped ? { dropped } : {}),
      committedAt: performance.timeOrigin + performance.now(),
    };
  }

  /**
   * Up to `limit` events after `afterSeq` (their seqs and JSON, packed for the transfer to the
   * main thread); those up to `replayedUpTo` marked as replayed.
   */
  read(afterSeq: number, limit: number, replayedUpTo = 0): PackedRows {
    const from = Math.max(afterSeq, this.deliveredSeq);
    return packRows(this.ready().stmts.read.all(replayedUpTo, from, limit) as [number, string][]);
  }

  /**
   * The broker acknowledged everything up to `seq`: it leaves the backlog. With `keepDelivered`
   * the rows stay as history under a watermark (one meta row written, not a row deleted per
   * event), and the oldest history goes in batches once it is PRUNE_BATCH over the number kept.
   */
  deleteUpTo(seq: number): Counts {
    const { db, stmts } = this.ready();
    if (seq <= this.deliveredSeq) return { ...this.counts };
    const keep = this.limits.keepDelivered ?? 0;
    db.transaction(() => {
      const [count, bytes] = stmts.sizeUpTo.get(this.deliveredSeq, seq) as [number, number];
      this.counts.count -= count;
      this.counts.bytes -= bytes;
      if (keep === 0) {
        if (count > 0) stmts.deleteUpTo.run(seq);
        this.deliveredRows = 0;
      } else {
        this.deliveredRows += count;
        if (this.deliveredRows > keep + PRUNE_BATCH) {
          const cutoff = stmts.nthDelivered.get(seq, keep) as number | undefined;
          if (cutoff !== undefined) stmts.deleteUpTo.run(cutoff);
          this.deliveredRows = stmts.countUpTo.get(seq) as number;
        }
      }
      this.deliveredSeq = seq;
      stmts.setMeta.run("delivered_seq", seq);
    })();
    return { ...this.counts };
  }

  /** PRAGMA integrity_check (or quick_check): undefined when the file is sound. */
  check(kind: "integrity_check" | "quick_check" = "integrity_check", file = this.file): string | undefined {
    let db: Database.Database | undefined;
    try {
      db = this.db && file === this.file ? this.db : new Database(file, { fileMustExist: true });
      if (db !== this.db) db.pragma(`cache_size = -${CACHE_KIB}`);
      const rows = db.pragma(kind, { simple: false }) as Record<string, string>[];
      const lines = rows.map((r) => String(Object.values(r)[0]));
      return lines.length === 1 && lines[0] === "ok" ? undefined : lines.slice(0, 5).join("; ");
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      if (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB")
        return `${code}: ${(err as Error).message}`;
      throw err;
    } finally {
      if (db && db !== this.db) db.close();
    }
  }

  close(): void {
    const db = this.db;
    this.db = undefined;
    this.stmts = undefined;
    if (db?.open) db.close();
  }

  private ready() {
    if (!this.db || !this.stmts) {
      throw Object.assign(new Error("the journal is not open"), { code: "SQLITE_CANTOPEN" });
    }
    return { db: this.db, stmts: this.stmts };
  }

  /**
   * Drop the oldest undelivered events until the journal is within its budget again. Counted
   * and reported, never silent.
   */
  private enforceBudget(): AppendReport["dropped"] {
    const { maxEvents, maxBytes } = this.limits;
    if (this.counts.count <= maxEvents && this.counts.bytes <= maxBytes) return undefined;
    const stmts = this.ready().stmts;
    let count = 0;
    let fromSeq = 0;
    let toSeq = 0;
    for (const [seq, n] of stmts.oldest.iterate(this.deliveredSeq) as Iterable<[number, number]>) {
      if (this.counts.count - count <= maxEvents && this.counts.bytes <= maxBytes) break;
      if (count === 0) fromSeq = seq;
      toSeq = seq;
      count++;
      this.counts.bytes -= n;
    }
    if (count === 0) return undefined;
    // Delivered history below the dropped events goes with them.
    stmts.dropUpTo.run(toSeq);
    this.deliveredRows = 0;
    this.counts.count -= count;
    this.counts.droppedTotal += count;
    stmts.setMeta.run("dropped_total", this.counts.droppedTotal);
    return { count, fromSeq, toSeq };
  }

  private moveAside(detail: string): NonNullable<OpenReport["corrupt"]> {
    const salvagedSeq = salvageLastSeq(this.file);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const movedTo = `${this.file}.corrupt-${stamp}`;
    renameSync(this.file, movedTo);
    for (const suffix of ["-wal", "-shm"]) {
      if (existsSync(this.file + suffix)) renameSync(this.file + suffix, movedTo + suffix);
    }
    return { movedTo, detail, salvagedSeq };
  }
}

/** Best effort: the highest seq a damaged journal still shows, so numbering can go on after it. */
export function salvageLastSeq(file: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, readonly: true });
    let seq = 0;
    try {
      seq =
        (db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number } | undefined)
          ?.value ?? 0;
    } catch {
      // meta unreadable; try the events
    }
    try {
      seq = Math.max(
        seq,
        (db.prepare("SELECT max(seq) AS m FROM events").get() as { m: number | null }).m ?? 0,
      );
    } catch {
      // nothing more to learn
    }
    return seq;
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}
