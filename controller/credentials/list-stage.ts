import type { Database as Db } from "better-sqlite3";
import type { CredentialListEnvelope, ListEntry } from "../contract/command-wire.ts";
import { ListHash } from "./list-hash.ts";

/**
 * One verified chunk into staging, in the caller's transaction. A full list's entries go in as
 * rows (`list_rows`, appended in chunk order) with the chunk's share of the list hash beside
 * them, so the apply only copies them in key order and sums the shares: the parsing and hashing
 * of a million entries is spread over the chunks' arrival instead of stalling the last one. A
 * delta (a few entries, applied against the list it changes) stays as JSON.
 */
export function stageChunk(db: Db, env: CredentialListEnvelope): void {
  const full = env.type === "full";
  const share = new ListHash();
  if (full) {
    db.prepare("DELETE FROM list_rows WHERE list_version = ? AND idx = ?").run(
      env.listVersion,
      env.chunk.index,
    );
    const insert = db.prepare("INSERT INTO list_rows VALUES (?, ?, ?, unhex(?), ?, ?, ?, ?, ?, ?, ?)");
    let n = 0;
    for (const e of env.entries) {
      share.add(e);
      insert.run(env.listVersion, env.chunk.index, n++, ...entryRow(e));
    }
  }
  db.prepare(
    `INSERT OR REPLACE INTO list_chunks (list_version, type, idx, count, base_version, list_hash, key_fingerprint,
       entries, remove, n_entries, entries_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    env.listVersion,
    env.type,
    env.chunk.index,
    env.chunk.count,
    env.baseVersion ?? null,
    env.listHash,
    env.keyFingerprint,
    full ? "[]" : JSON.stringify(env.entries),
    JSON.stringify(env.remove),
    env.entries.length,
    share.hex(),
  );
  // A newer list supersedes any older partial one.
  db.prepare("DELETE FROM list_chunks WHERE list_version < ?").run(env.listVersion);
  db.prepare("DELETE FROM list_rows WHERE list_version < ?").run(env.listVersion);
}

/** An entry as the store's columns, the credential as hex (the statements unhex it). */
export function entryRow(e: ListEntry) {
  return [
    e.credential,
    e.personId,
    e.role,
    e.status,
    e.validFrom ?? null,
    e.validUntil ?? null,
    e.schedule ?? null,
    e.secondFactor ? 1 : 0,
  ] as const;
}
