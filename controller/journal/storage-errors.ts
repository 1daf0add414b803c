import { accessSync, constants } from "node:fs";
import { StationError, type StationErrorCode } from "../../config/errors.ts";

export type JournalErrorCode = Extract<
  StationErrorCode,
  "JOURNAL_READ_ONLY" | "JOURNAL_DISK_FULL" | "JOURNAL_IO" | "JOURNAL_CORRUPT" | "JOURNAL_UNAVAILABLE"
>;

/** An error as it crosses the worker boundary: plain data, the typed code kept. */
export interface JournalFault {
  code: JournalErrorCode;
  message: string;
  /** SQLite's or the OS's own code, for the log */
  cause?: string;
  /** when opening failed: the highest seq the file still shows (read-only), so numbering goes on */
  lastSeq?: number;
}

const HINTS: Record<JournalErrorCode, string> = {
  JOURNAL_READ_ONLY:
    "the data partition is read-only or not writable by the controller: check `mount` (an SD card remounted read-only after errors needs fsck or replacing) and the directory's owner",
  JOURNAL_DISK_FULL:
    "the data partition (or journal.maxFileBytes) is full: free space; events are kept in memory and still published meanwhile",
  JOURNAL_IO: "the storage reported an I/O error: the SD card or disk may be failing",
  JOURNAL_CORRUPT: "the journal file is damaged; it is moved aside at the next start and never deleted",
  JOURNAL_UNAVAILABLE: "the journal could not be opened; see the cause in the log",
};

function osCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Turn what SQLite or the file system threw into one of the journal's typed codes. */
export function classifyStorageError(err: unknown, dir: string): JournalFault {
  const raw = osCode(err) ?? "";
  const message = err instanceof Error ? err.message : String(err);
  let code: JournalErrorCode;
  if (raw === "SQLITE_FULL" || raw === "ENOSPC" || raw === "EDQUOT") code = "JOURNAL_DISK_FULL";
  else if (raw.startsWith("SQLITE_READONLY") || raw === "EROFS" || raw === "EACCES" || raw === "EPERM")
    code = "JOURNAL_READ_ONLY";
  else if (raw.startsWith("SQLITE_CORRUPT") || raw === "SQLITE_NOTADB") code = "JOURNAL_CORRUPT";
  else if (raw.startsWith("SQLITE_CANTOPEN"))
    code = writable(dir) ? "JOURNAL_UNAVAILABLE" : "JOURNAL_READ_ONLY";
  else if (raw.startsWith("SQLITE_IOERR") || raw === "EIO")
    code = writable(dir) ? "JOURNAL_IO" : "JOURNAL_READ_ONLY";
  else code = "JOURNAL_UNAVAILABLE";
  return { code, message, ...(raw ? { cause: raw } : {}) };
}

export function faultToError(fault: JournalFault, path: string): StationError {
  const what =
    fault.code === "JOURNAL_READ_ONLY"
      ? `journal ${path} cannot be written: the file system is read-only or not writable`
      : fault.code === "JOURNAL_DISK_FULL"
        ? `journal ${path} cannot be written: no space left`
        : fault.code === "JOURNAL_CORRUPT"
          ? `journal ${path} is damaged`
          : fault.code === "JOURNAL_IO"
            ? `journal ${path}: I/O error`
            : `journal ${path} is unavailable`;
  return new StationError(fault.code, "journal", `${what} (${fault.cause ?? fault.message})`, {
    hint: HINTS[fault.code],
    path,
  });
}
