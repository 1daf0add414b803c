import { dirname } from "node:path";
import Database, { type Database as Db, type Statement } from "better-sqlite3";
import { StationError } from "../../config/errors.ts";
import { ensurePrivateDir, ensurePrivateFile } from "../../config/private-files.ts";
import { COLUMNS, COUNT_ALL, type CredentialRow, SCHEMA, TABLES } from "./credential-schema.ts";
import type {
  CredentialEntry,
  CredentialRecord,
  CredentialStatus,
  CredentialStore,
} from "./credential-store.ts";

export type StoreHealth =
  | { readonly writable: true; readonly mode?: undefined; readonly detail?: undefined }
  | { readonly writable: false; readonly mode: "read-only" | "memory"; readonly detail: string };

/**
 * The credential store: SQLite (WAL), keyed by the 32-byte keyed hash in a WITHOUT ROWID
 * B-tree, so a lookup is one prepared point query whatever the size, and 1,000,000 entries cost
 * disk, not memory. The count is kept in `meta`, recounted inside each write transaction
 * (writes are rare): counting a million rows at every start would cost the cold-start budget.
 */
export class SqliteCredentialStore implements CredentialStore {
  private db: Db | undefined;
  private get_: Statement<[Buffer, Buffer], CredentialRow> | undefined;
  private count = 0;
  private dataVersion = -1;
  /** static entries held in memory when the file cannot be written */
  private readonly overlay = new Map<string, CredentialEntry>();
  private health_: StoreHealth = { writable: true };

  constructor(readonly file: string) {}

  /** Open for writing, or fail with a typed error (what the credentials CLI wants). */
  open(): void {
    try {
      ensurePrivateDir(dirname(this.file));
      ensurePrivateFile(this.file);
      const db = new Database(this.file);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      // A lookup touches the root, one or two inner pages and a leaf: 512 KB of cache keeps the
      // hot upper levels of a million-entry tree and keeps the controller's memory small.
      db.pragma("cache_size = -512");
      db.exec(SCHEMA);
      this.use(db);
    } catch (cause) {
      throw new StationError("ACCESS_STORE", "access", `cannot open the credential store ${this.file}`, {
        cause,
        hint: "check that the data directory exists, is writable by the service user, and the disk is not full",
      });
    }
  }

  /**
   * What the station does: open for writing if it can; on a read-only or broken disk, read the
   * existing file as it is, or failing that keep only the station file's static entries in
   * memory. The door keeps working either way; `health()` says which, for the alarm.
   */
  openDegradable(): StoreHealth {
    try {
      this.open();
      return this.health_;
    } catch (err) {
      const detail = String((err as StationError).details?.cause ?? err);
      try {
        const db = new Database(this.file, { readonly: true, fileMustExist: true });
        db.prepare("SELECT value FROM meta WHERE key = 'count'").get();
        this.use(db);
        this.health_ = { writable: false, mode: "read-only", detail };
      } catch {
        const db = new Database(":memory:");
        db.exec(SCHEMA);
        this.use(db);
        this.health_ = { writable: false, mode: "memory", detail };
      }
      return this.health_;
    }
  }

  /**
   * The store's hashes are only as good as the key they were made with. The first start records
   * the key's fingerprint (device/identity/hasher.ts); a later start with another key stops
   * here, with what happened and what to do, instead of refusing every card as `unknown`.
   * An empty store simply takes the new key.
   */
  checkKeyFingerprint(fingerprint: string): void {
    const db = this.db;
    if (!db) return;
    const row = db.prepare("SELECT value FROM meta WHERE key = 'keyFingerprint'").get() as
      | { value: string }
      | undefined;
    if (row?.value === fingerprint || this.keyFingerprints().next === fingerprint) return;
    if (row === undefined || this.count === 0) {
      if (this.health_.writable) {
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('keyFingerprint', ?)").run(fingerprint);
      }
      return;
    }
    throw new StationError(
      "CREDENTIAL_KEY_MISMATCH",
      "access",
      `the credential store ${this.file} holds ${this.count} credentials hashed with another credential key (fingerprint ${row.value}); the secrets file's key has fingerprint ${fingerprint}. With it every card would be refused as unknown, so the station does not start.`,
      {
        hint: `if the key in the secrets file was replaced by mistake, restore the fleet's key (fingerprint ${row.value}). If the fleet's key really changed, the cards must be enrolled again under the new key: move ${this.file} aside and import the list again (waystation credentials import FILE.csv --config ...)`,
        stored: row.value,
        current: fingerprint,
      },
    );
  }

  /**
   * The key the entries were hashed with and, during a credential key rotation, the next one: a
   * station that stopped between writing the new key to its secrets file and here still starts
   * (controller/remote/key-rotation.ts finishes the rotation).
   */
  keyFingerprints(): { current?: string; next?: string } {
    const rows = (this.db
      ?.prepare("SELECT key, value FROM meta WHERE key IN ('keyFingerprint', 'keyFingerprintNext')")
      .all() ?? []) as { key: string; value: string }[];
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    const current = get("keyFingerprint");
    const next = get("keyFingerprintNext");
    return { ...(current ? { current } : {}), ...(next ? { next } : {}) };
  }

  /**
   * The key the central list's rows are hashed under (controller/credentials/list-keys.ts), and
   * how many there are. A list from before lists named their key was hashed under the store's.
   */
  centralListKey(): { fingerprint: string | undefined; count: number } {
    const rows = (this.db
      ?.prepare(
        "SELECT key, value FROM meta WHERE key IN ('list_key_fingerprint', 'list_count', 'keyFingerprint')",
      )
      .all() ?? []) as { key: string; value: unknown }[];
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    const count = Number(get("list_count") ?? 0);
    const fp = get("list_key_fingerprint") ?? get("keyFingerprint");
    return { fingerprint: count > 0 && fp !== undefined ? String(fp) : undefined, count };
  }

  /** `fn` in an IMMEDIATE transaction: no other connection (a list apply) writes meanwhile. */
  exclusive<T>(fn: () => T): T {
    return this.requireDb().transaction(fn).immediate();
  }

  setKeyFingerprints(current: string, next: string | undefined): void {
    const db = this.requireDb();
    db.transaction(() => {
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('keyFingerprint', ?)").run(current);
      if (next)
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('keyFingerprintNext', ?)").run(next);
      else db.prepare("DELETE FROM meta WHERE key = 'keyFingerprintNext'").run();
    })();
  }

  health(): StoreHealth {
    return this.health_;
  }

  private use(db: Db): void {
    this.db = db;
    // Two point queries in one statement: the central list's entry wins over a local one. A file
    // from before the central table, opened read-only, has only the local one.
    const central = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'central_credentials'")
      .get();
    this.get_ = central
      ? db.prepare<[Buffer, Buffer], CredentialRow>(
          `SELECT ${COLUMNS} FROM (SELECT 0 AS p, ${COLUMNS} FROM central_credentials WHERE hash = ?
             UNION ALL SELECT 1 AS p, ${COLUMNS} FROM credentials WHERE hash = ?) ORDER BY p LIMIT 1`,
        )
      : db.prepare<[Buffer, Buffer], CredentialRow>(
          `SELECT ${COLUMNS} FROM credentials WHERE hash = ? OR hash = ?`,
        );
    this.dataVersion = -1;
    this.refreshCount();
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
    this.get_ = undefined;
  }

  lookup(credential: string): CredentialEntry | undefined {
    if (this.overlay.size > 0) {
      const o = this.overlay.get(credential);
      if (o) return o;
    }
    if (!this.get_ || credential.length !== 64) return undefined;
    const key = Buffer.from(credential, "hex");
    const row = this.get_.get(key, key);
    if (!row) return undefined;
    return {
      personId: row.person_id,
      role: row.role,
      status: row.status,
      validFrom: row.valid_from ?? undefined,
      validUntil: row.valid_until ?? undefined,
      schedule: row.schedule ?? undefined,
      secondFactor: row.second_factor === 1,
    };
  }

  /** The count, refreshed when another connection (the credentials CLI) has changed the file. */
  get size(): number {
    const db = this.db;
    if (db) {
      const version = db.pragma("data_version", { simple: true }) as number;
      if (version !== this.dataVersion) {
        this.dataVersion = version;
        this.refreshCount();
      }
    }
    return this.count + this.overlay.size;
  }

  /**
   * Insert or replace entries in one transaction (an import, a list update). `source` says where
   * they came from, so the static entries of the station file can be replaced as a set.
   */
  upsert(records: Iterable<CredentialRecord>, source = "local"): number {
    const db = this.requireDb();
    const stmt = db.prepare(
      `INSERT INTO credentials (hash, person_id, role, status, valid_from, valid_until, schedule, second_factor, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (hash) DO UPDATE SET person_id = excluded.person_id, role = excluded.role,
         status = excluded.status, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
         schedule = excluded.schedule, second_factor = excluded.second_factor, source = excluded.source`,
    );
    let n = 0;
    // A large import inserts random keys all over the B-tree: a bigger page cache for the
    // duration saves a third of the time; shrink_memory gives it back to the controller after.
    db.pragma("cache_size = -65536");
    db.transaction(() => {
      for (const r of records) {
        stmt.run(
          Buffer.from(r.credential, "hex"),
          r.personId,
          r.role,
          r.status,
          r.validFrom ?? null,
          r.validUntil ?? null,
          r.schedule ?? null,
          r.secondFactor ? 1 : 0,
          source,
        );
        n++;
      }
      db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'version'").run();
      this.recount();
    })();
    db.pragma("cache_size = -512");
    db.pragma("shrink_memory");
    this.refreshCount();
    return n;
  }

  /**
   * Make the entries from the station file exactly `records`: lines removed from the file go.
   * The previous set is remembered in `meta`, so an unchanged file costs one read at start, and a
   * changed one point deletes — never a scan of a million rows.
   */
  replaceStatic(records: readonly CredentialRecord[]): void {
    if (this.health_.mode === "read-only") {
      this.overlay.clear();
      for (const { credential, ...entry } of records) this.overlay.set(credential, entry);
      return;
    }
    const db = this.requireDb();
    const wanted = JSON.stringify(records);
    const row = db.prepare("SELECT value FROM meta WHERE key = 'static'").get() as { value: string };
    if (row.value === wanted) return;
    const previous = JSON.parse(row.value) as CredentialRecord[];
    const del = db.prepare("DELETE FROM credentials WHERE hash = ? AND source = 'config'");
    db.transaction(() => {
      for (const r of previous) del.run(Buffer.from(r.credential, "hex"));
      this.upsert(records, "config");
      db.prepare("UPDATE meta SET value = ? WHERE key = 'static'").run(wanted);
      this.recount();
    })();
    this.refreshCount();
  }

  /** In both tables: a central entry changed here lasts until the centre's next list. */
  setStatus(credential: string, status: CredentialStatus): boolean {
    const db = this.requireDb();
    const key = Buffer.from(credential, "hex");
    return db.transaction(() => {
      let n = 0;
      for (const table of TABLES) {
        n += db.prepare(`UPDATE ${table} SET status = ? WHERE hash = ?`).run(status, key).changes;
      }
      return n > 0;
    })();
  }

  remove(credential: string): boolean {
    const db = this.requireDb();
    const key = Buffer.from(credential, "hex");
    const n = db.transaction(() => {
      let n = 0;
      for (const table of TABLES) n += db.prepare(`DELETE FROM ${table} WHERE hash = ?`).run(key).changes;
      this.recount();
      return n;
    })();
    this.refreshCount();
    return n > 0;
  }

  /** Erase every credential of a person (the "forget" path). */
  removePerson(personId: string): number {
    const db = this.requireDb();
    // A forgotten person's rows are overwritten, not just unlinked from the b-tree (PIPL
    // erasure); only here, so bulk list updates do not pay for zeroing what they move.
    db.pragma("secure_delete = ON");
    const r = { changes: 0 };
    try {
      db.transaction(() => {
        for (const table of TABLES) {
          r.changes += db.prepare(`DELETE FROM ${table} WHERE person_id = ?`).run(personId).changes;
        }
      })();
    } finally {
      db.pragma("secure_delete = OFF");
    }
    // the WAL still holds the pages as they were before the delete: fold it in and truncate it
    if (r.changes > 0) db.pragma("wal_checkpoint(TRUNCATE)");
    this.recount();
    this.refreshCount();
    return r.changes;
  }

  private recount(): void {
    this.requireDb().prepare(`UPDATE meta SET value = ${COUNT_ALL} WHERE key = 'count'`).run();
  }

  private refreshCount(): void {
    const row = this.requireDb().prepare("SELECT value FROM meta WHERE key = 'count'").get() as {
      value: number;
    };
    this.count = row.value;
  }

  private requireDb(): Db {
    if (!this.db) throw new StationError("ACCESS_STORE", "access", "credential store used before open()");
    return this.db;
  }
}
