import type { CredentialStatus, Role } from "./credential-store.ts";

/**
 * The credential store's file (SQLite): its tables, their columns and the statements shared by
 * the store (sqlite-credential-store.ts) and the central list's apply (controller/credentials/
 * list-apply.ts).
 */

/** A credential row as the store reads it (after its hash). */
export interface CredentialRow {
  person_id: string;
  role: Role;
  status: CredentialStatus;
  valid_from: number | null;
  valid_until: number | null;
  schedule: string | null;
  second_factor: number;
}

/**
 * The central server's list has a table of its own, beside the local and station-file entries:
 * a full list is written into a fresh table in key order and swapped in (controller/credentials/
 * list-apply.ts), instead of a million deletes and inserts among the local rows.
 */
export function centralTableDdl(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  hash          BLOB PRIMARY KEY CHECK (length(hash) = 32),
  ${ENTRY_COLUMNS}
) WITHOUT ROWID;`;
}

/** A central entry's columns after its hash (the list's table, and its staged rows). */
export const ENTRY_COLUMNS = `person_id     TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('worker', 'technician', 'admin')),
  status        TEXT NOT NULL CHECK (status IN ('active', 'blocked', 'lost')),
  valid_from    INTEGER,
  valid_until   INTEGER,
  schedule      TEXT,
  second_factor INTEGER NOT NULL`;

export const TABLES = ["central_credentials", "credentials"] as const;
/** Rows in both tables (a credential in both counts twice: rare, and not worth a join). */
export const COUNT_ALL = "((SELECT count(*) FROM credentials) + (SELECT count(*) FROM central_credentials))";

export const COLUMNS = "person_id, role, status, valid_from, valid_until, schedule, second_factor";

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS credentials (
  hash          BLOB PRIMARY KEY CHECK (length(hash) = 32),
  person_id     TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('worker', 'technician', 'admin')),
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'lost')),
  valid_from    INTEGER,
  valid_until   INTEGER,
  schedule      TEXT,
  second_factor INTEGER NOT NULL DEFAULT 0,
  source        TEXT NOT NULL DEFAULT 'local'
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS credentials_person ON credentials (person_id);
${centralTableDdl("central_credentials")}
CREATE INDEX IF NOT EXISTS central_credentials_person ON central_credentials (person_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('count', 0), ('version', 0), ('static', '[]');
`;
