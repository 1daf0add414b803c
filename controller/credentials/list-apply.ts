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

interface ChunkRow {
  idx: number;
  count: number;
  base_version: number | null;
  list_hash: string;
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
  const find = db.prepare("SELECT * FROM credentials WHERE hash = ? AND source = 'central'");
  const upsert = db.prepare(
    `INSERT INTO credentials (hash, person_id, role, status, valid_from, valid_until, schedule, second_factor, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'central')
     ON CONFLICT (hash) DO UPDATE SET person_id = excluded.person_id, role = excluded.role,
       status = excluded.status, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
       schedule = excluded.schedule, second_factor = excluded.second_factor, source = 'central'
     WHERE credentials.source != 'central' OR ?`,
  );
  const del = db.prepare("DELETE FROM credentials WHERE hash = ? AND source = 'central'");
  let applied = 0;
  let result: { listHash: string; listCount: number } | undefined;
  // A million random keys land all over the B-tree: a big page cache while writing, given back after.
  db.pragma("cache_size = -65536");
  try {
    db.transaction(() => {
      const chunks = db
        .prepare("SELECT * FROM list_chunks WHERE list_version = ? AND type = ? ORDER BY idx")
        .all(req.listVersion, req.type) as ChunkRow[];
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
      } else {
        hash = new ListHash();
        db.prepare("DELETE FROM credentials WHERE source = 'central'").run();
      }
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
          if (req.type === "delta") {
            const old = find.get(key) as StoredRow | undefined;
            if (old) hash.remove(stored(e.credential, old));
          }
          const r = upsert.run(
            key,
            e.personId,
            e.role,
            e.status,
            e.validFrom ?? null,
            e.validUntil ?? null,
            e.schedule ?? null,
            e.secondFactor ? 1 : 0,
            req.type === "delta" ? 1 : 0,
          );
          // In a full list a credential already written by this list is a duplicate.
          if (r.changes === 0) throw new ListApplyError("LIST_DUPLICATE", `${e.credential} appears twice`);
          hash.add(e);
          applied++;
        }
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
