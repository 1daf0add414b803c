import Database, { type Database as Db } from "better-sqlite3";
import type { CredentialListEnvelope } from "../contract/command-wire.ts";
import { spawnBundledWorker } from "../workers/bundled-worker.ts";
import { type ApplyResult, LIST_SCHEMA } from "./list-apply.ts";
import { type ListKeyState, migrateListKeys, readListKeyState } from "./list-keys.ts";
import { stageChunk } from "./list-stage.ts";

export interface ListStatus {
  listVersion: number;
  listHash: string;
  listCount: number;
  /** the fingerprint of the credential key the active list is hashed under (null: no list) */
  keyFingerprint: string | null;
  /** a list being received: its version and how many of its chunks are in */
  pending?: { listVersion: number; type: "full" | "delta"; received: number; count: number } | undefined;
  applying: boolean;
}

/**
 * The central server's credential list in the station's credential store: staged chunk by chunk
 * (each verified before it is stored), applied whole by a worker thread in one transaction, its
 * version and order-independent hash kept in the store's meta table.
 */
export class CredentialLists {
  private db: Db | undefined;
  private applying: Promise<ApplyResult> | undefined;
  private status_: ListStatus = {
    listVersion: 0,
    listHash: "0".repeat(64),
    listCount: 0,
    keyFingerprint: null,
    applying: false,
  };

  constructor(readonly file: string) {}

  open(): void {
    const db = new Database(this.file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec(LIST_SCHEMA);
    migrateListKeys(db);
    db.exec(LIST_SCHEMA);
    this.db = db;
    this.refresh();
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  get isApplying(): boolean {
    return this.applying !== undefined;
  }

  status(): ListStatus {
    return this.status_;
  }

  /** The keys the station holds and the active list's, for the intake's check. */
  keys(): ListKeyState {
    return readListKeyState(this.required());
  }

  /** Store one verified chunk; true when every chunk of its list is in. */
  stage(env: CredentialListEnvelope): { received: number; count: number; complete: boolean } {
    const db = this.required();
    // One transaction, one fsync per chunk: two thousand chunks of a million-entry list were
    // paying two each.
    return db.transaction(() => this.stageIn(db, env))();
  }

  private stageIn(
    db: Db,
    env: CredentialListEnvelope,
  ): { received: number; count: number; complete: boolean } {
    stageChunk(db, env);
    const received = (
      db
        .prepare("SELECT count(*) AS n FROM list_chunks WHERE list_version = ? AND type = ?")
        .get(env.listVersion, env.type) as { n: number }
    ).n;
    this.status_ = {
      ...this.status_,
      pending: { listVersion: env.listVersion, type: env.type, received, count: env.chunk.count },
    };
    return { received, count: env.chunk.count, complete: received === env.chunk.count };
  }

  /** Apply a complete staged list in a worker thread; the door keeps deciding meanwhile. */
  async apply(listVersion: number, type: "full" | "delta"): Promise<ApplyResult> {
    if (this.applying) throw new Error("a list is already being applied");
    this.applying = this.runWorker(listVersion, type);
    this.status_ = { ...this.status_, applying: true };
    try {
      return await this.applying;
    } finally {
      this.applying = undefined;
      this.refresh();
    }
  }

  private runWorker(listVersion: number, type: "full" | "delta"): Promise<ApplyResult> {
    return new Promise((resolve) => {
      const worker = spawnBundledWorker(new URL("./list-worker.ts", import.meta.url), "list-worker");
      let done = false;
      const finish = (r: ApplyResult) => {
        if (done) return;
        done = true;
        resolve(r);
        void worker.terminate();
      };
      worker.once("message", (r: ApplyResult) => finish(r));
      worker.once("error", (err) => finish({ ok: false, code: "LIST_APPLY_FAILED", detail: err.message }));
      worker.once("exit", (code) =>
        finish({ ok: false, code: "LIST_APPLY_FAILED", detail: `worker exited (${code})` }),
      );
      worker.postMessage({ file: this.file, listVersion, type });
    });
  }

  private refresh(): void {
    const db = this.required();
    const meta = new Map(
      (
        db.prepare("SELECT key, value FROM meta WHERE key LIKE 'list_%'").all() as {
          key: string;
          value: unknown;
        }[]
      ).map((r) => [r.key, r.value]),
    );
    const pending = db
      .prepare(
        "SELECT list_version AS v, type, count(*) AS n, max(count) AS c FROM list_chunks GROUP BY list_version, type ORDER BY list_version DESC LIMIT 1",
      )
      .get() as { v: number; type: "full" | "delta"; n: number; c: number } | undefined;
    this.status_ = {
      listVersion: Number(meta.get("list_version") ?? 0),
      listHash: String(meta.get("list_hash") ?? "0".repeat(64)),
      listCount: Number(meta.get("list_count") ?? 0),
      keyFingerprint: meta.has("list_key_fingerprint") ? String(meta.get("list_key_fingerprint")) : null,
      pending: pending
        ? { listVersion: pending.v, type: pending.type, received: pending.n, count: pending.c }
        : undefined,
      applying: this.applying !== undefined,
    };
  }

  private required(): Db {
    if (!this.db) throw new Error("credential lists not open");
    return this.db;
  }
}
