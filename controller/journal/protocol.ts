import type { PackedRows } from "./event-page.ts";
import type { AppendReport, Counts, JournalLimits, JournalRow, OpenReport } from "./sqlite-journal.ts";
import type { JournalFault } from "./storage-errors.ts";

/** What the main thread asks of the journal worker. The worker answers each in order. */
export type WorkerRequest =
  | { op: "open"; file: string; limits: JournalLimits }
  | { op: "append"; rows: JournalRow[]; lastSeq: number }
  | { op: "read"; afterSeq: number; limit: number; replayedUpTo: number }
  | { op: "deleteUpTo"; seq: number }
  | { op: "check" }
  | { op: "close" };

export interface WorkerResults {
  open: OpenReport;
  append: AppendReport;
  read: PackedRows;
  deleteUpTo: Counts;
  check: string | null;
  close: null;
}

export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; fault: JournalFault };
