import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { StationError } from "./errors.ts";

/**
 * The data directory holds the journal (who entered when), the credential store (keyed hashes
 * of every card) and the station's counters: readable by the service user only. Everything the
 * station creates there is created private; at start the directory and what is in it are
 * checked, like the secrets file, and a station whose data another user can read refuses to
 * start with the command that fixes it.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Create `file` empty and 0600 if it does not exist (SQLite then gives its -wal and -shm the same mode). */
export function ensurePrivateFile(file: string): void {
  try {
    closeSync(openSync(file, "wx", 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

const OPEN_BITS = 0o077;

export function checkDataDir(dir: string): void {
  if (process.platform === "win32") return;
  ensurePrivateDir(dir);
  const open: string[] = [];
  const mode = statSync(dir).mode & 0o777;
  if ((mode & OPEN_BITS) !== 0) open.push(`${dir} (mode ${mode.toString(8)})`);
  for (const name of readdirSync(dir)) {
    const st = lstatSync(join(dir, name));
    if (st.isSymbolicLink()) continue; // a link's own bits mean nothing; its target is checked where it lives
    const m = st.mode & 0o777;
    if ((m & OPEN_BITS) !== 0) open.push(`${name} (mode ${m.toString(8)})`);
  }
  if (open.length === 0) return;
  throw new StationError(
    "DATA_PERMISSIONS",
    "config",
    `the data directory ${dir} is readable by other users: ${open.slice(0, 5).join(", ")}${open.length > 5 ? `, and ${open.length - 5} more` : ""}`,
    { hint: `chmod 700 ${dir} && chmod -R go-rwx ${dir}`, paths: open },
  );
}
