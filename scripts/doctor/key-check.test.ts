import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteCredentialStore } from "../../controller/access/sqlite-credential-store.ts";
import { CredentialLists } from "../../controller/credentials/credential-lists.ts";
import { keyProblems, readStoredKeys, type StoredKeys } from "./key-check.ts";

const A = "aaaaaaaaaaaaaaaa";
const B = "bbbbbbbbbbbbbbbb";
const C = "cccccccccccccccc";
const keys = (
  local: [string | undefined, number],
  central: [string | undefined, number],
  next?: string,
): StoredKeys => ({
  local: { fingerprint: local[0], count: local[1] },
  central: { fingerprint: central[0], count: central[1] },
  next,
});

describe("doctor: rows hashed under a key the station does not hold", () => {
  const cases: [string, StoredKeys, string, string[]][] = [
    ["all under the current key", keys([A, 5], [A, 1000]), A, []],
    ["local rows under another key", keys([B, 5], [A, 0]), A, ["enrolled credentials"]],
    ["the central list under a dropped key", keys([A, 0], [B, 1000]), A, ["central list's 1000"]],
    ["the central list under the next key, mid-rotation", keys([A, 2], [B, 1000], B), A, []],
    ["both wrong", keys([C, 2], [B, 10]), A, ["enrolled", "central list"]],
    ["an empty central table under any key", keys([A, 1], [C, 0]), A, []],
  ];
  it.each(cases)("%s", (_, stored, current, expected) => {
    const problems = keyProblems(stored, current, "/etc/waystation/secrets.yaml");
    expect(problems).toHaveLength(expected.length);
    for (const [i, text] of expected.entries()) expect(problems[i]?.detail).toContain(text);
  });

  it("reads a real store: central rows under the key a forced rotation dropped", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ws-doc-keys-")), "credentials.db");
    const store = new SqliteCredentialStore(file);
    store.open();
    store.setKeyFingerprints(A, undefined);
    const lists = new CredentialLists(file);
    lists.open();
    lists.close();
    const db = new Database(file);
    db.prepare(
      "INSERT INTO central_credentials VALUES (?, 'p', 'worker', 'active', NULL, NULL, NULL, 0)",
    ).run(Buffer.alloc(32, 7));
    db.exec(
      `INSERT OR REPLACE INTO meta VALUES ('list_version', 3), ('list_count', 1), ('list_key_fingerprint', '${B}')`,
    );
    db.close();
    store.close();
    const stored = readStoredKeys(file);
    expect(stored).toEqual(keys([A, 0], [B, 1]));
    expect(keyProblems(stored as StoredKeys, A, "s.yaml")[0]?.hint).toContain(`--key-fingerprint ${A}`);
  });
});
