import { parentPort } from "node:worker_threads";
import Database from "better-sqlite3";
import { applyStagedList } from "./list-apply.ts";

/**
 * One list apply, off the main thread: its own connection to the credential store's file, one
 * transaction, then exit. The door's lookups on the main thread's connection never wait for it.
 */
parentPort?.once("message", (req: { file: string; listVersion: number; type: "full" | "delta" }) => {
  let result: unknown;
  try {
    const db = new Database(req.file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("busy_timeout = 5000");
    try {
      result = applyStagedList(db, req);
    } finally {
      db.close();
    }
  } catch (err) {
    result = {
      ok: false,
      code: "LIST_APPLY_FAILED",
      detail: err instanceof Error ? err.message : String(err),
    };
  }
  parentPort?.postMessage(result);
});
