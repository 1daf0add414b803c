import type { Database as Db } from "better-sqlite3";
import type { ListEntry } from "../contract/command-wire.ts";
import { type HashedEntry, ListHash } from "./list-hash.ts";

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
  entries      TEXT NOT NULL,
  remove       TEXT NOT NULL,
  PRIMARY KEY (list_version, type, idx)
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES
  ('list_version', 0), ('list_hash', '${"0".repeat(64)}'), ('list_count', 0);
`;

export type ListApplyCode =
  | "LIST_INCOMPLETE"
  | "LIST_GAP"
  | "LIST_STALE"
  | "LIST_HASH_MISMATCH"
  | "LIST_DUPLICATE";

export type ApplyResult =
  | {
      ok: true;
      listVersion: number;
      listHash: string;
      listCount: number;
      applied: number;
      durationMs: number;
    }
  | { ok: false; code: ListApplyCode | "LIST_APPLY_FAILED"; detail: string };

class ListApplyError extends Error {
  constructor(
    readonly code: ListApplyCode,
    message: string,
  ) {
    super(message);
  }
}

interface ChunkMeta {
  idx: number;
  count: number;
  base_version: number | null;
  list_hash: string;
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
 * whole. The list's hash is recomputed as it is written and must equal the signed `listHash`;
 * otherwise everything rolls back. Runs in a worker thread on its own connection.
 */
export function applyStagedList(db: Db, req: { listVersion: number; type: "full" | "delta" }): ApplyResult {
  const started = performance.now();
  let applied = 0;
  let result: { listHash: string; listCount: number } | undefined;
  // A million random keys land all over the B-tree: a big page cache while writing, given back after.
  db.pragma("cache_size = -65536");
  try {
    db.transaction(() => {
      const chunks = db
        .prepare(
          "SELECT idx, count, base_version, list_hash FROM list_chunks WHERE list_version = ? AND type = ? ORDER BY idx",
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
      if (chunks.some((c) => c.list_hash !== first.list_hash || c.base_version !== first.base_version)) {
        throw new ListApplyError("LIST_INCOMPLETE", "the chunks disagree on listHash or baseVersion");
      }
      const current = Number(metaValue(db, "list_version"));
      if (req.listVersion <= current) {
        throw new ListApplyError("LIST_STALE", `version ${req.listVersion} is not newer than ${current}`);
      }
      let hash: ListHash;
      if (req.type === "delta") {
        if (first.base_version !== current) {
          throw new ListApplyError("LIST_GAP", `delta on ${first.base_version}, the station has ${current}`);
        }
        hash = ListHash.fromHex(metaValue(db, "list_hash"));
        applied = applyDelta(db, bodies(), hash);
      } else {
        hash = new ListHash();
        applied = applyFull(db, bodies(), hash);
      }
      if (hash.hex() !== first.list_hash) {
        throw new ListApplyError("LIST_HASH_MISMATCH", `computed ${hash.hex()}, signed ${first.list_hash}`);
      }
      const listCount = (
        db.prepare("SELECT count(*) AS n FROM credentials WHERE source = 'central'").get() as { n: number }
      ).n;
      const setMeta = db.prepare("UPDATE meta SET value = ? WHERE key = ?");
      setMeta.run(req.listVersion, "list_version");
      setMeta.run(hash.hex(), "list_hash");
      setMeta.run(listCount, "list_count");
      db.prepare("UPDATE meta SET value = (SELECT count(*) FROM credentials) WHERE key = 'count'").run();
      db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'version'").run();
      db.prepare("DELETE FROM list_chunks WHERE list_version <= ?").run(req.listVersion);
      result = { listHash: hash.hex(), listCount };
    })();
  } catch (err) {
    // A list that can never apply is dropped from staging, so the centre can send it again.
    db.prepare("DELETE FROM list_chunks WHERE list_version = ? AND type = ?").run(req.listVersion, req.type);
    if (err instanceof ListApplyError) return { ok: false, code: err.code, detail: err.message };
    return { ok: false, code: "LIST_APPLY_FAILED", detail: err instanceof Error ? err.message : String(err) };
  } finally {
    db.pragma("cache_size = -512");
    db.pragma("shrink_memory");
  }
  const r = result as unknown as { listHash: string; listCount: number };
  return {
    ok: true,
    listVersion: req.listVersion,
    ...r,
    applied,
    durationMs: Math.round(performance.now() - started),
  };
}

const UPSERT_SET = `ON CONFLICT (hash) DO UPDATE SET person_id = excluded.person_id, role = excluded.role,
  status = excluded.status, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
  schedule = excluded.schedule, second_factor = excluded.second_factor, source = 'central'`;

/**
 * A full list: every chunk's JSON goes into a temporary table through SQLite's own json_each
 * (no per-row JavaScript), then into the store sorted by key, so the B-tree is written in order
 * instead of at a million random places. The JavaScript side only hashes the entries.
 */
function applyFull(db: Db, chunks: Iterable<ChunkBody>, hash: ListHash): number {
  db.exec(`DROP TABLE IF EXISTS temp.incoming;
    CREATE TEMP TABLE incoming (hash BLOB NOT NULL, person_id TEXT NOT NULL, role TEXT NOT NULL,
      status TEXT NOT NULL, valid_from INTEGER, valid_until INTEGER, schedule TEXT, second_factor INTEGER NOT NULL)`);
  const load = db.prepare(
    `INSERT INTO temp.incoming SELECT unhex(value->>'credential'), value->>'personId', value->>'role',
       value->>'status', value->>'validFrom', value->>'validUntil', value->>'schedule',
       CASE WHEN value->>'secondFactor' THEN 1 ELSE 0 END
     FROM json_each(?)`,
  );
  let total = 0;
  for (const chunk of chunks) {
    const entries = JSON.parse(chunk.entries) as ListEntry[];
    for (const e of entries) hash.add(e);
    total += entries.length;
    load.run(chunk.entries);
  }
  db.prepare("DELETE FROM credentials WHERE source = 'central'").run();
  // A conflict with a row of this list (central) is a duplicate: the update is skipped, and the
  // change count comes up short. A local or station-file entry with the same key is taken over.
  const r = db
    .prepare(
      `INSERT INTO credentials (hash, person_id, role, status, valid_from, valid_until, schedule, second_factor, source)
       SELECT hash, person_id, role, status, valid_from, valid_until, schedule, second_factor, 'central'
       FROM temp.incoming WHERE true ORDER BY hash
       ${UPSERT_SET} WHERE credentials.source != 'central'`,
    )
    .run();
  db.exec("DROP TABLE temp.incoming");
  if (r.changes !== total)
    throw new ListApplyError("LIST_DUPLICATE", `${total - r.changes} credential(s) appear twice`);
  return total;
}

/** A delta: few entries, each replacing (or removing) the old one and moving the hash by both. */
function applyDelta(db: Db, chunks: Iterable<ChunkBody>, hash: ListHash): number {
  const find = db.prepare("SELECT * FROM credentials WHERE hash = ? AND source = 'central'");
  const del = db.prepare("DELETE FROM credentials WHERE hash = ? AND source = 'central'");
  const upsert = db.prepare(
    `INSERT INTO credentials (hash, person_id, role, status, valid_from, valid_until, schedule, second_factor, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'central') ${UPSERT_SET}`,
  );
  let applied = 0;
  for (const chunk of chunks) {
    for (const credential of JSON.parse(chunk.remove) as string[]) {
      const key = Buffer.from(credential, "hex");
      const old = find.get(key) as StoredRow | undefined;
      if (old) hash.remove(stored(credential, old));
      del.run(key);
      applied++;
    }
    for (const e of JSON.parse(chunk.entries) as ListEntry[]) {
      const key = Buffer.from(e.credential, "hex");
      const old = find.get(key) as StoredRow | undefined;
      if (old) hash.remove(stored(e.credential, old));
      upsert.run(
        key,
        e.personId,
        e.role,
        e.status,
        e.validFrom ?? null,
        e.validUntil ?? null,
        e.schedule ?? null,
        e.secondFactor ? 1 : 0,
      );
      hash.add(e);
      applied++;
    }
  }
  return applied;
}
