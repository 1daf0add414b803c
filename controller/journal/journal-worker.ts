import { dirname } from "node:path";
import { parentPort } from "node:worker_threads";
import type { PackedRows } from "./event-page.ts";
import type { WorkerReply, WorkerRequest } from "./protocol.ts";
import { SqliteJournal, salvageLastSeq } from "./sqlite-journal.ts";
import { classifyStorageError } from "./storage-errors.ts";

/**
 * The journal worker: owns the SQLite connection, so that commits (each an fsync) never block
 * the main thread, where the door runs. It handles one request at a time, in order.
 */
let journal: SqliteJournal | undefined;
let dir = ".";

function handle(req: WorkerRequest): unknown {
  switch (req.op) {
    case "open":
      journal?.close();
      dir = dirname(req.file);
      journal = new SqliteJournal(req.file, req.limits);
      try {
        return journal.open();
      } catch (err) {
        journal = undefined;
        throw Object.assign(err as object, { lastSeq: salvageLastSeq(req.file) });
      }
    case "append":
      return need().append(req.rows, req.lastSeq);
    case "read":
      return need().read(req.afterSeq, req.limit, req.replayedUpTo);
    case "deleteUpTo":
      return need().deleteUpTo(req.seq);
    case "check":
      return need().check("integrity_check") ?? null;
    case "close":
      journal?.close();
      journal = undefined;
      return null;
  }
}

function need(): SqliteJournal {
  if (!journal) throw Object.assign(new Error("the journal is not open"), { code: "SQLITE_CANTOPEN" });
  return journal;
}

parentPort?.on("message", (msg: { id: number } & WorkerRequest) => {
  let reply: WorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = handle(msg);
    // A page's bytes move to the main thread rather than being copied (event-page.ts).
    if (msg.op === "read") transfer = [(result as PackedRows).bytes.buffer as ArrayBuffer];
    reply = { id: msg.id, ok: true, result };
  } catch (err) {
    const lastSeq = (err as { lastSeq?: number } | null)?.lastSeq;
    const fault = classifyStorageError(err, dir);
    reply = { id: msg.id, ok: false, fault: lastSeq === undefined ? fault : { ...fault, lastSeq } };
  }
  parentPort?.postMessage(reply, transfer);
});
