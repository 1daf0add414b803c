import { resolve } from "node:path";
import Database from "better-sqlite3";
import { loadConfigFile } from "../../config/load.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { paint } from "../cli/output.ts";
import { stationFileFor } from "../control-client.ts";
import { usageError } from "./usage.ts";

export interface EventsOptions {
  config?: string;
  limit?: string;
  type?: string;
  since?: string;
  json?: boolean;
}

const SKIP = new Set(["id", "seq", "bootId", "ts", "timeQuality", "type", "credential"]);

/** One event as a line: time, type, and its fields (the credential hash left out). */
function line(e: Record<string, unknown>): string {
  const fields = Object.entries(e)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  const type = String(e.type);
  const colour = /denied|alarm|fault|forced|tamper|corrupt|fire/.test(type) ? "red" : "dim";
  return `${String(e.ts)}  #${String(e.seq)}  ${paint(colour, type)}  ${fields}`;
}

/**
 * `waystation events`: the local journal, read through a read-only connection (WAL), so it
 * works while the station runs and whatever the broker's state. The journal keeps what is not
 * yet delivered (and, offline, everything since), newest last.
 */
export async function events(opts: EventsOptions): Promise<number> {
  const config = loadConfigFile(stationFileFor(opts.config));
  const limit = Number(opts.limit ?? "50");
  if (!Number.isInteger(limit) || limit < 1) throw usageError("--limit is a whole number, 1 or more");
  const since = opts.since === undefined ? undefined : Date.parse(opts.since);
  if (since !== undefined && Number.isNaN(since))
    throw usageError(`--since is not a time: "${opts.since}" (ISO 8601, e.g. 2026-12-01T20:00:00+08:00)`);
  const file = resolve(config.dataDir, config.journal.file);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    process.stderr.write(`no journal at ${file} yet (the station creates it at its first start)\n`);
    return EXIT.failed;
  }
  try {
    const rows = db
      .prepare("SELECT payload FROM events WHERE (? IS NULL OR type LIKE ? || '%') ORDER BY seq DESC LIMIT ?")
      .all(opts.type ?? null, opts.type ?? "", since === undefined ? limit : 1_000_000) as {
      payload: string;
    }[];
    const parsed = rows
      .map((r) => JSON.parse(r.payload) as Record<string, unknown>)
      .filter((e) => since === undefined || Date.parse(String(e.ts)) >= since)
      .slice(0, limit)
      .reverse();
    for (const e of parsed) process.stdout.write(`${opts.json ? JSON.stringify(e) : line(e)}\n`);
    if (!opts.json && parsed.length === 0) process.stderr.write("no events\n");
    return EXIT.ok;
  } finally {
    db.close();
  }
}
