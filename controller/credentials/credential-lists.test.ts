import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteCredentialStore } from "../access/sqlite-credential-store.ts";
import { CredentialListEnvelopeSchema, type ListEntry } from "../contract/command-wire.ts";
import { CredentialLists } from "./credential-lists.ts";
import { ListHash } from "./list-hash.ts";

const KEY_A = "a1a1a1a1a1a1a1a1";
const KEY_B = "b2b2b2b2b2b2b2b2";
const cred = () => randomBytes(32).toString("hex");
const entry = (personId: string, over: Partial<ListEntry> = {}): ListEntry => ({
  credential: cred(),
  personId,
  role: "worker",
  status: "active",
  secondFactor: false,
  ...over,
});
const hashOf = (entries: ListEntry[]) => {
  const h = new ListHash();
  for (const e of entries) h.add(e);
  return h.hex();
};

function envelope(over: Record<string, unknown>) {
  return CredentialListEnvelopeSchema.parse({
    kind: "credentials",
    id: `l-${randomBytes(4).toString("hex")}`,
    station: "s",
    issuedAt: "2026-12-01T22:00:00Z",
    expiresAt: "2026-12-01T22:10:00Z",
    nonce: randomBytes(16).toString("base64url"),
    keyFingerprint: KEY_A,
    ...over,
  });
}

describe("credential lists: staged, applied in a worker in one transaction, hashed", () => {
  let store: SqliteCredentialStore;
  let lists: CredentialLists;
  let file: string;
  beforeEach(() => {
    file = join(mkdtempSync(join(tmpdir(), "ws-lists-")), "credentials.db");
    store = new SqliteCredentialStore(file);
    store.open();
    store.setKeyFingerprints(KEY_A, undefined);
    store.upsert([
      {
        credential: "ab".repeat(32),
        personId: "local-tech",
        role: "technician",
        status: "active",
        secondFactor: false,
      },
    ]);
    lists = new CredentialLists(file);
    lists.open();
  });
  afterEach(() => {
    lists.close();
    store.close();
  });

  const full = [entry("p1"), entry("p2", { validUntil: 1_800_000_000_000, schedule: "day" }), entry("p3")];
  /** Chunk `index` of `count` of version 1 of `full`. */
  const fullChunk = (
    index: number,
    count: number,
    entries: ListEntry[],
    over: Record<string, unknown> = {},
  ) =>
    envelope({
      listVersion: 1,
      type: "full",
      listHash: hashOf(full),
      chunk: { index, count },
      entries,
      ...over,
    });

  async function applyFull(version: number, entries: ListEntry[], chunks = 1, keyFingerprint = KEY_A) {
    const per = Math.ceil(entries.length / chunks);
    for (let i = 0; i < chunks; i++) {
      lists.stage(
        envelope({
          listVersion: version,
          type: "full",
          listHash: hashOf(entries),
          chunk: { index: i, count: chunks },
          entries: entries.slice(i * per, (i + 1) * per),
          keyFingerprint,
        }),
      );
    }
    return lists.apply(version, "full");
  }

  it("a full list in chunks applies whole: lookups, version, hash; local entries stay", async () => {
    const r = await applyFull(1, full, 3);
    expect(r).toMatchObject({ ok: true, listVersion: 1, listCount: 3, listHash: hashOf(full) });
    expect(store.lookup(full[1]?.credential ?? "")?.personId).toBe("p2");
    expect(store.lookup("ab".repeat(32))?.personId).toBe("local-tech");
    expect(lists.status()).toMatchObject({ listVersion: 1, listHash: hashOf(full), listCount: 3 });
    expect(store.size).toBe(4);
  });

  it("the hash does not depend on order", () => {
    expect(hashOf([...full].reverse())).toBe(hashOf(full));
    expect(hashOf(full.slice(1))).not.toBe(hashOf(full));
  });

  it("a missing chunk: nothing applies", async () => {
    lists.stage(fullChunk(0, 2, full));
    expect(await lists.apply(1, "full")).toMatchObject({ ok: false, code: "LIST_INCOMPLETE" });
    expect(store.lookup(full[0]?.credential ?? "")).toBeUndefined();
    expect(lists.status().listVersion).toBe(0);
  });

  it("a wrong signed hash rolls everything back", async () => {
    lists.stage(envelope({ listVersion: 1, type: "full", listHash: hashOf(full.slice(1)), entries: full }));
    expect(await lists.apply(1, "full")).toMatchObject({ ok: false, code: "LIST_HASH_MISMATCH" });
    expect(store.lookup(full[0]?.credential ?? "")).toBeUndefined();
    expect(lists.status().listVersion).toBe(0);
  });

  it("a delta on the current version adds, changes and removes, and moves the hash", async () => {
    await applyFull(1, full);
    const added = entry("p4");
    const changed = { ...(full[0] as ListEntry), status: "blocked" as const };
    const after = [changed, full[2] as ListEntry, added];
    lists.stage(
      envelope({
        listVersion: 2,
        type: "delta",
        baseVersion: 1,
        listHash: hashOf(after),
        entries: [added, changed],
        remove: [full[1]?.credential],
      }),
    );
    expect(await lists.apply(2, "delta")).toMatchObject({
      ok: true,
      listVersion: 2,
      listCount: 3,
      listHash: hashOf(after),
    });
    expect(store.lookup(changed.credential)?.status).toBe("blocked");
    expect(store.lookup(full[1]?.credential ?? "")).toBeUndefined();
  });

  it("a delta with a gap is refused and changes nothing", async () => {
    await applyFull(1, full);
    const added = entry("p4");
    lists.stage(
      envelope({
        listVersion: 3,
        type: "delta",
        baseVersion: 2,
        listHash: hashOf([...full, added]),
        entries: [added],
      }),
    );
    expect(await lists.apply(3, "delta")).toMatchObject({ ok: false, code: "LIST_GAP" });
    expect(store.lookup(added.credential)).toBeUndefined();
    expect(lists.status()).toMatchObject({ listVersion: 1, listHash: hashOf(full) });
  });

  it("a full list replaces the previous one; an older version is stale", async () => {
    await applyFull(1, full);
    const next = [entry("q1")];
    expect(await applyFull(2, next)).toMatchObject({ ok: true, listCount: 1 });
    expect(store.lookup(full[0]?.credential ?? "")).toBeUndefined();
    expect(await applyFull(2, next)).toMatchObject({ ok: false, code: "LIST_STALE" });
  });

  it("a credential twice in a full list is refused", async () => {
    const dup = [...full, { ...(full[0] as ListEntry), personId: "other" }];
    expect(await applyFull(1, dup)).toMatchObject({ ok: false, code: "LIST_DUPLICATE" });
  });
  it("a central entry wins over a local one with the same credential; the local one returns after", async () => {
    const local = "ab".repeat(32);
    const takeover = [{ ...(full[0] as ListEntry), credential: local, personId: "central-p" }];
    expect(await applyFull(1, takeover)).toMatchObject({ ok: true });
    expect(store.lookup(local)?.personId).toBe("central-p");
    expect(await applyFull(2, [entry("q1")])).toMatchObject({ ok: true });
    expect(store.lookup(local)?.personId).toBe("local-tech");
  });

  it("the list names its key; a key the station dropped before the apply is refused then", async () => {
    expect(await applyFull(1, full)).toMatchObject({ ok: true, keyFingerprint: KEY_A });
    expect(lists.status().keyFingerprint).toBe(KEY_A);
    expect(store.centralListKey()).toEqual({ fingerprint: KEY_A, count: 3 });
    // rotating: a full list under the next key applies, and now the list is under it
    store.setKeyFingerprints(KEY_A, KEY_B);
    const next = [entry("n1")];
    expect(await applyFull(2, next, 1, KEY_B)).toMatchObject({ ok: true, keyFingerprint: KEY_B });
    expect(lists.keys()).toEqual({ current: KEY_A, next: KEY_B, list: KEY_B });
    // staged while B was next, the rotation rolled back before the apply: refused, nothing moves
    lists.stage(
      envelope({
        listVersion: 3,
        type: "full",
        listHash: hashOf(full),
        entries: full,
        keyFingerprint: KEY_B,
      }),
    );
    store.setKeyFingerprints(KEY_A, undefined);
    expect(await lists.apply(3, "full")).toMatchObject({ ok: false, code: "LIST_KEY_UNKNOWN" });
    expect(lists.status()).toMatchObject({ listVersion: 2, keyFingerprint: KEY_B });
    expect(store.lookup(full[0]?.credential ?? "")).toBeUndefined();
  });

  it("chunks that disagree on their key are one broken list", async () => {
    lists.stage(
      envelope({
        listVersion: 1,
        type: "full",
        listHash: hashOf(full),
        chunk: { index: 0, count: 2 },
        entries: full.slice(0, 1),
      }),
    );
    store.setKeyFingerprints(KEY_A, KEY_B);
    lists.stage(fullChunk(1, 2, full.slice(1), { keyFingerprint: KEY_B }));
    expect(await lists.apply(1, "full")).toMatchObject({ ok: false, code: "LIST_INCOMPLETE" });
    expect(lists.status().listVersion).toBe(0);
  });

  it("a file from before lists named their key: old staged chunks go, the active list takes the store's key", async () => {
    expect(await applyFull(1, full)).toMatchObject({ ok: true });
    lists.close();
    const db = new Database(file);
    db.exec(`DELETE FROM meta WHERE key = 'list_key_fingerprint'; DROP TABLE list_chunks;
      CREATE TABLE list_chunks (list_version INTEGER NOT NULL, type TEXT NOT NULL, idx INTEGER NOT NULL,
        count INTEGER NOT NULL, base_version INTEGER, list_hash TEXT NOT NULL, entries TEXT NOT NULL,
        remove TEXT NOT NULL, PRIMARY KEY (list_version, type, idx)) WITHOUT ROWID;
      INSERT INTO list_chunks VALUES (2, 'full', 0, 2, NULL, '${"0".repeat(64)}', '[]', '[]');`);
    db.close();
    lists = new CredentialLists(file);
    lists.open();
    expect(lists.status()).toMatchObject({ listVersion: 1, keyFingerprint: KEY_A, pending: undefined });
    expect(await applyFull(2, [entry("q1")])).toMatchObject({ ok: true, keyFingerprint: KEY_A });
  });

  it("a chunk sent twice counts once; a failed list leaves no staged rows behind", async () => {
    lists.stage(fullChunk(0, 2, full.slice(0, 2)));
    lists.stage(fullChunk(0, 2, full.slice(0, 2)));
    lists.stage(fullChunk(1, 2, full.slice(2)));
    expect(await lists.apply(1, "full")).toMatchObject({ ok: true, listCount: 3, applied: 3 });
    lists.stage(envelope({ listVersion: 2, type: "full", listHash: hashOf(full), entries: full.slice(1) }));
    expect(await lists.apply(2, "full")).toMatchObject({ ok: false, code: "LIST_HASH_MISMATCH" });
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) AS n FROM list_rows").get()).toEqual({ n: 0 });
    db.close();
  });
});
