import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CredentialRecord } from "./credential-store.ts";
import { SqliteCredentialStore } from "./sqlite-credential-store.ts";

/** Deterministic, distinct 64-hex credentials (sha256 of the index) without holding a million strings. */
const cred = (i: number) => createHash("sha256").update(String(i)).digest("hex");
const rec = (i: number, extra: Partial<CredentialRecord> = {}): CredentialRecord => ({
  credential: cred(i),
  personId: `p${i}`,
  role: "worker",
  status: "active",
  secondFactor: false,
  ...extra,
});

function* many(n: number): Generator<CredentialRecord> {
  for (let i = 0; i < n; i++) yield rec(i);
}

describe("SQLite credential store", () => {
  let store: SqliteCredentialStore | undefined;
  const fresh = () => {
    store = new SqliteCredentialStore(join(mkdtempSync(join(tmpdir(), "ws-cred-")), "credentials.db"));
    store.open();
    return store;
  };
  afterEach(() => store?.close());

  it("round-trips every field of an entry", () => {
    const s = fresh();
    s.upsert([
      rec(1, {
        role: "technician",
        validFrom: 1000,
        validUntil: 2000,
        schedule: "night",
        secondFactor: true,
      }),
    ]);
    expect(s.lookup(cred(1))).toEqual({
      personId: "p1",
      role: "technician",
      status: "active",
      validFrom: 1000,
      validUntil: 2000,
      schedule: "night",
      secondFactor: true,
    });
    expect(s.lookup(cred(2))).toBeUndefined();
    expect(s.lookup("not-a-hash")).toBeUndefined();
  });

  it("holds 1,000,000 entries, finds any of them, and keeps its count across a reopen", () => {
    const s = fresh();
    expect(s.upsert(many(1_000_000))).toBe(1_000_000);
    expect(s.size).toBe(1_000_000);
    for (const i of [0, 1, 499_999, 999_999]) expect(s.lookup(cred(i))?.personId).toBe(`p${i}`);
    expect(s.lookup(cred(1_000_000))).toBeUndefined();
    s.close();
    const again = new SqliteCredentialStore(s.file);
    again.open();
    store = again;
    expect(again.size).toBe(1_000_000);
    expect(again.lookup(cred(123_456))?.personId).toBe("p123456");
    // CPU-bound (a million inserts): minutes on a loaded machine, seconds on a quiet one
  }, 240_000);

  it("blocks, removes and forgets", () => {
    const s = fresh();
    s.upsert([rec(1), rec(2, { personId: "same" }), rec(3, { personId: "same" })]);
    expect(s.setStatus(cred(1), "lost")).toBe(true);
    expect(s.lookup(cred(1))?.status).toBe("lost");
    expect(s.remove(cred(1))).toBe(true);
    expect(s.remove(cred(1))).toBe(false);
    expect(s.removePerson("same")).toBe(2);
    expect(s.size).toBe(0);
  });

  it("replaces the station file's static entries as a set, leaving the others", () => {
    const s = fresh();
    s.upsert([rec(9)]);
    s.replaceStatic([rec(1), rec(2)]);
    s.replaceStatic([rec(2)]);
    expect(s.lookup(cred(1))).toBeUndefined();
    expect(s.lookup(cred(2))).toBeDefined();
    expect(s.lookup(cred(9))).toBeDefined();
    expect(s.size).toBe(2);
  });

  it("on a disk it cannot write, keeps the static entries in memory and says so", () => {
    const s = new SqliteCredentialStore("/dev/null/not-a-dir/credentials.db");
    store = s;
    const health = s.openDegradable();
    expect(health).toMatchObject({ writable: false, mode: "memory" });
    s.replaceStatic([rec(1)]);
    expect(s.lookup(cred(1))?.personId).toBe("p1");
    expect(s.size).toBe(1);
  });
});
