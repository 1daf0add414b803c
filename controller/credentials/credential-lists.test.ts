import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteCredentialStore } from "../access/sqlite-credential-store.ts";
import { CredentialListEnvelopeSchema, type ListEntry } from "../contract/command-wire.ts";
import { CredentialLists } from "./credential-lists.ts";
import { ListHash } from "./list-hash.ts";

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
    ...over,
  });
}

describe("credential lists: staged, applied in a worker in one transaction, hashed", () => {
  let store: SqliteCredentialStore;
  let lists: CredentialLists;
  beforeEach(() => {
    const file = join(mkdtempSync(join(tmpdir(), "ws-lists-")), "credentials.db");
    store = new SqliteCredentialStore(file);
    store.open();
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

  async function applyFull(version: number, entries: ListEntry[], chunks = 1) {
    const per = Math.ceil(entries.length / chunks);
    for (let i = 0; i < chunks; i++) {
      lists.stage(
        envelope({
          listVersion: version,
          type: "full",
          listHash: hashOf(entries),
          chunk: { index: i, count: chunks },
          entries: entries.slice(i * per, (i + 1) * per),
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
    lists.stage(
      envelope({
        listVersion: 1,
        type: "full",
        listHash: hashOf(full),
        chunk: { index: 0, count: 2 },
        entries: full,
      }),
    );
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
});
