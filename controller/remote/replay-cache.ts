import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database, { type Database as Db } from "better-sqlite3";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS nonces (
  nonce      TEXT PRIMARY KEY,
  id         TEXT NOT NULL,
  keep_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_keep_until ON nonces (keep_until);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('high_water', 0);
`;

/**
 * Every accepted envelope's nonce, kept on disk until the envelope can no longer pass the time
 * window (expiresAt + skew), so a replay is refused across restarts too. Written with
 * synchronous=FULL *before* the command runs: a power cut after the door opened cannot make the
 * same command acceptable again. Also keeps the newest issuedAt accepted, which is what judges
 * envelopes while the station's time is unknown.
 */
export class ReplayCache {
  private db: Db | undefined;
  private highWater_ = 0;

  constructor(readonly file: string) {}

  open(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(SCHEMA);
    this.db = db;
    const row = db.prepare("SELECT value FROM meta WHERE key = 'high_water'").get() as { value: number };
    this.highWater_ = Number(row.value);
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  seen(nonce: string): boolean {
    return this.required().prepare("SELECT 1 FROM nonces WHERE nonce = ?").get(nonce) !== undefined;
  }

  get highWater(): number {
    return this.highWater_;
  }

  get size(): number {
    return (this.required().prepare("SELECT count(*) AS n FROM nonces").get() as { n: number }).n;
  }

  /**
   * Remember an accepted envelope (durably, before it takes effect). Expired nonces are pruned
   * by the station's clock only when that clock is trusted: a clock that jumped years ahead
   * must not empty the cache.
   */
  record(nonce: string, id: string, keepUntil: number, issuedAt: number, pruneBefore?: number): void {
    const db = this.required();
    db.transaction(() => {
      if (pruneBefore !== undefined) db.prepare("DELETE FROM nonces WHERE keep_until < ?").run(pruneBefore);
      db.prepare("INSERT INTO nonces (nonce, id, keep_until) VALUES (?, ?, ?)").run(nonce, id, keepUntil);
      if (issuedAt > this.highWater_) {
        db.prepare("UPDATE meta SET value = ? WHERE key = 'high_water'").run(issuedAt);
      }
    })();
    this.highWater_ = Math.max(this.highWater_, issuedAt);
  }

  private required(): Db {
    if (!this.db) throw new Error("replay cache not open");
    return this.db;
  }
}
