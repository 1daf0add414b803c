import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CredentialRecord } from "../controller/access/credential-store.ts";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";

/** Deterministic credential number i: the same 64 hex on every run, so fixtures can be reused. */
export const benchCredential = (i: number) => createHash("sha256").update(`bench-${i}`).digest("hex");

function* records(n: number): Generator<CredentialRecord> {
  for (let i = 0; i < n; i++) {
    yield {
      credential: benchCredential(i),
      personId: `p${i}`,
      role: "worker",
      status: "active",
      secondFactor: false,
    };
  }
}

/**
 * A credential database with n entries, built once and kept in the temp dir: a million random
 * inserts take ten seconds, which the figures do not need to pay for on every run.
 */
export function credentialDb(n: number): string {
  const dir = join(tmpdir(), "waystation-bench");
  const file = join(dir, `credentials-${n}.db`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const building = join(dir, `credentials-${n}.building.db`);
  rmSync(building, { force: true });
  const store = new SqliteCredentialStore(building);
  store.open();
  store.upsert(records(n));
  store.close();
  for (const suffix of ["-wal", "-shm"]) rmSync(`${building}${suffix}`, { force: true });
  renameSync(building, file);
  return file;
}
