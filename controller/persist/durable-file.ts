import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Replace a small file so that a power cut at any instant leaves either the old content or the
 * new, never a torn or empty file: write a temporary file beside it, fsync it, rename it over the
 * old one, and fsync the directory so the rename itself is on disk. Synchronous: when it returns,
 * the new content survives a power cut. It throws the file system's error as it is.
 */
export function writeFileDurably(file: string, data: string | Uint8Array): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(file)}.tmp`);
  // Private, like everything in the data directory (checked at start: config/private-files.ts).
  const fd = openSync(tmp, "w", 0o600);
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dir, "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** The file's text, or undefined when it does not exist (any other error is thrown). */
export function readFileIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
