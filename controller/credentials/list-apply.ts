import type { Database as Db } from "better-sqlite3";
import { centralTableDdl, ENTRY_COLUMNS } from "../access/credential-schema.ts";
import { checkedEntry, type ListApplyCode, ListApplyError } from "./list-entry-check.ts";
import { type HashedEntry, ListHash } from "./list-hash.ts";
import { listKeyRefusal, readListKeyState } from "./list-keys.ts";
import { entryRow } from "./list-stage.ts";

export type { ListApplyCode };

/** The staging table and the list's meta rows, beside the credential store's own tables. */
export const LIST_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_chunks (
  list_version INTEGER NOT NULL,
  type         TEXT NOT NULL,
  idx          INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  base_version INTEGER,
  list_hash    TEXT NOT NULL,
  key_fingerprint TEXT NOT NULL,
  entries      TEXT NOT NULL,
  remove       TEXT NOT NULL,
  n_entries    INTEGER NOT NULL,
  entries_hash TEXT NOT NULL,
  PRIMARY KEY (list_version, type, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_rows (
  list_version  INTEGER NOT NULL,
  idx           INTEGER NOT NULL,
  n             INTEGER NOT NULL,
  hash          BLOB NOT NULL CHECK (length(hash) = 32),
  ${ENTRY_COLUMNS},
  PRIMARY KEY (list_version, idx, n)
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES
  ('list_version', 0), ('list_hash', '${"0".repeat(64)}'), ('list_count', 0);
`;

export type ApplyResult =
  | {
      ok: true;
      listVersion: number;
      listHash: string;
      listCount: number;
      keyFingerprint: string;
      applied: number;
      durationMs: number;
    }
  | { ok: false; code: ListApplyCode | "LIST_APPLY_FAILED"; detail: string };

interface ChunkMeta {
  idx: number;
  count: number;
  base_version: number | null;
  list_hash: string;
  key_fingerprint: string;
  n_entries: number;
  entries_hash: string;
}

interface ChunkBody {
  entries: string;
  remove: string;
}

interface StoredRow {
  person_id: string;
  role: string;
  status: string;
  valid_from: number | null;
  valid_until: number | null;
  schedule: string | null;
  second_factor: number;
}

function metaValue(db: Db, key: string): string {
  return String((db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: unknown }).value);
}

function stored(credential: string, r: StoredRow): HashedEntry {
  return {
    credential,
    personId: r.person_id,
    role: r.role,
    status: r.status,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    schedule: r.schedule,
    secondFactor: r.second_factor === 1,
  };
}

/**
 * Apply a staged list (every chunk of `listVersion`) in ONE transaction on `db`: the door's
 * connection keeps reading the previous list (WAL) until the commit, then sees the new one
 * whole. The list's hash, recomputed from what was received (a full list's share by share as
 * its chunks were staged, a delta's as it is written), must equal the signed `listHash`;
 * otherwise everything rolls back. Runs in a worker thread on its own connection.
 */
export function applyStagedList(db: Db, req: { listVersion: number; type: "full" | "delta" }): ApplyResult {
  const started = performance.now();
  let applied = 0;
  let result: { listHash: string; listCount: number; keyFingerprint: string } | undefined;
  // A million random keys land all over the B-tree: a big page cache while writing, given back after.
  db.pragma("cache_size = -65536");
  try {
    db.transaction(() => {
      const chunks = db
        .prepare(
          "SELECT idx, count, base_version, list_hash, key_fingerprint, n_entries, entries_hash FROM list_chunks WHERE list_version = ? AND type = ? ORDER BY idx",
        )
        .all(req.listVersion, req.type) as ChunkMeta[];
      // One chunk's body at a time: a million entries never sit in memory at once.
      const bodyOf = db.prepare(
        "SELECT entries, remove FROM list_chunks WHERE list_version = ? AND type = ? AND idx = ?",
      );
      const bodies = function* (): Generator<ChunkBody> {
        for (const c of chunks) yield bodyOf.get(req.listVersion, req.type, c.idx) as ChunkBody;
      };
      const first = chunks[0];
      if (
        !first ||
        chunks.length !== first.count ||
        chunks.some((c, i) => c.idx !== i || c.count !== first.count)
      ) {
        throw new ListApplyError("LIST_INCOMPLETE", `${chunks.length} of ${first?.count ?? "?"} chunks`);
      }
      if (
        chunks.some(
          (c) =>
            c.list_hash !== first.list_hash ||
            c.base_version !== first.base_version ||
            c.key_fingerprint !== first.key_fingerprint,
        )
      ) {
        throw new ListApplyError(
          "LIST_INCOMPLETE",
          "the chunks disagree on listHash, baseVersion or keyFingerprint",
        );
      }
      // Checked again here, under the write lock: a rotation may have ended since the intake.
      const refusal = listKeyRefusal(readListKeyState(db), first.key_fingerprint, req.type);
      if (refusal) throw new ListApplyError(refusal.code, refusal.detail);
      const current = Number(metaValue(db, "list_version"));
      if (req.listVersion <= current) {
        throw new ListApplyError("LIST_STALE", `version ${req.listVersion} is not newer than ${current}`);
      }
      let hash: ListHash;
      const before = Number(metaValue(db, "list_count"));
      let listCount: number;
      if (req.type === "delta") {
        if (first.base_version !== current) {
          throw new ListApplyError("LIST_GAP", `delta on ${first.base_version}, the station has ${current}`);
        }
        hash = ListHash.fromHex(metaValue(db, "list_hash"));
        const d = applyDelta(db, bodies(), hash);
        applied = d.applied;
        listCount = before + d.net;
      } else {
        // The entries' hash was taken chunk by chunk as each was staged: their sum is the list's.
        hash = new ListHash();
        for (const c of chunks) hash.addSum(c.entries_hash);
        applied = applyFull(db, req.listVersion, chunks);
        listCount = applied;
      }
      if (hash.hex() !== first.list_hash) {
        throw new ListApplyError("LIST_HASH_MISMATCH", `computed ${hash.hex()}, signed ${first.list_hash}`);
      }
      const setMeta = db.prepare("UPDATE meta SET value = ? WHERE key = ?");
      setMeta.run(req.listVersion, "list_version");
      setMeta.run(hash.hex(), "list_hash");
      setMeta.run(listCount, "list_count");
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('list_key_fingerprint', ?)").run(
        first.key_fingerprint,
      );
      // The store's count moves by the list's change: recounting two million rows would not.
      db.prepare("UPDATE meta SET value = value + ? WHERE key = 'count'").run(listCount - before);
      db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'version'").run();
      dropStaged(db, req.listVersion);
      result = { listHash: hash.hex(), listCount, keyFingerprint: first.key_fingerprint };
      // IMMEDIATE: the write lock from the first read, so the key check above and the commit see
      // the same keys (a rotation's complete on the main thread waits for the apply, not between).
    }).immediate();
  } catch (err) {
    // A list that can never apply is dropped from staging, so the centre can send it again.
    db.transaction(() => {
      db.prepare("DELETE FROM list_chunks WHERE list_version = ? AND type = ?").run(
        req.listVersion,
        req.type,
      );
      if (req.type === "full")
        db.prepare("DELETE FROM list_rows WHERE list_version = ?").run(req.listVersion);
    })();
    if (err instanceof ListApplyError) return { ok: false, code: err.code, detail: err.message };
    return { ok: false, code: "LIST_APPLY_FAILED", detail: err instanceof Error ? err.message : String(err) };
  } finally {
    db.pragma("cache_size = -512");
    db.pragma("shrink_memory");
  }
  const r = result as unknown as { listHash: string; listCount: number; keyFingerprint: string };
  return {
    ok: true,
    listVersion: req.listVersion,
    ...r,
    applied,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * A full list: its rows, staged as each chunk arrived (list-stage.ts), copied in key order into
 * a fresh table that is swapped in for the previous list. A B-tree written in key order fills
 * its pages once, instead of a million random inserts; nothing is parsed or hashed here.
 */
function applyFull(db: Db, listVersion: number, chunks: readonly ChunkMeta[]): number {
  let total = 0;
  for (const c of chunks) total += c.n_entries;
  db.exec(`DROP TABLE IF EXISTS central_next; ${centralTableDdl("central_next")}`);
  const r = db
    .prepare(
      `INSERT OR IGNORE INTO central_next SELECT hash, person_id, role, status, valid_from, valid_until,
         schedule, second_factor FROM list_rows WHERE list_version = ? ORDER BY hash`,
    )
    .run(listVersion);
  if (r.changes !== total)
    throw new ListApplyError("LIST_DUPLICATE", `${total - r.changes} credential(s) appear twice`);
  // The swap: the door's connection reads the old table until the commit, the new one after.
  db.exec(`DROP TABLE central_credentials;
    ALTER TABLE central_next RENAME TO central_credentials;
    CREATE INDEX central_credentials_person ON central_credentials (person_id);`);
  return total;
}

/** Staging up to `listVersion` goes; a table with nothing newer is emptied whole (no row-by-row delete). */
function dropStaged(db: Db, listVersion: number): void {
  db.prepare("DELETE FROM list_chunks WHERE list_version <= ?").run(listVersion);
  const newer = db.prepare("SELECT 1 FROM list_rows WHERE list_version > ? LIMIT 1").get(listVersion);
  if (newer) db.prepare("DELETE FROM list_rows WHERE list_version <= ?").run(listVersion);
  else db.exec("DELETE FROM list_rows");
}

const UPSERT_SET = `ON CONFLICT (hash) DO UPDATE SET person_id = excluded.person_id, role = excluded.role,
  status = excluded.status, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
  schedule = excluded.schedule, second_factor = excluded.second_factor`;

/** A delta: few entries, each replacing (or removing) the old one and moving the hash by both. */
function applyDelta(db: Db, chunks: Iterable<ChunkBody>, hash: ListHash): { applied: number; net: number } {
  const find = db.prepare("SELECT * FROM central_credentials WHERE hash = ?");
  const del = db.prepare("DELETE FROM central_credentials WHERE hash = ?");
  const upsert = db.prepare(
    `INSERT INTO central_credentials (hash, person_id, role, status, valid_from, valid_until, schedule, second_factor)
     VALUES (unhex(?), ?, ?, ?, ?, ?, ?, ?) ${UPSERT_SET}`,
  );
  let applied = 0;
  let net = 0;
  for (const chunk of chunks) {
    for (const credential of JSON.parse(chunk.remove) as string[]) {
      const key = Buffer.from(credential, "hex");
      const old = find.get(key) as StoredRow | undefined;
      if (old) {
        hash.remove(stored(credential, old));
        net--;
      }
      del.run(key);
      applied++;
    }
    const entries: unknown = JSON.parse(chunk.entries);
    if (!Array.isArray(entries)) throw new ListApplyError("LIST_INVALID", "a staged chunk is not a list");
    for (const raw of entries) {
      const e = checkedEntry(raw, applied);
      const key = Buffer.from(e.credential, "hex");
      const old = find.get(key) as StoredRow | undefined;
      if (old) hash.remove(stored(e.credential, old));
      else net++;
      upsert.run(...entryRow(e));
      hash.add(e);
      applied++;
    }
  }
  return { applied, net };
}
