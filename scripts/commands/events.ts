import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfigFile } from "../../config/load.ts";
import { readJournalHistory } from "../../controller/events/journal-history.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { paint } from "../cli/output.ts";
import { stationFileFor } from "../control-client.ts";
import { usageError } from "./usage.ts";

export interface EventsOptions {
  config?: string;
  limit?: string;
  type?: string;
  since?: string;
  text?: string;
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
 * works while the station runs and whatever the broker's state; the filters are the console's
 * event log's (controller/events/journal-history.ts). Newest last.
 */
export async function events(opts: EventsOptions): Promise<number> {
  const config = loadConfigFile(stationFileFor(opts.config));
  const limit = Number(opts.limit ?? "50");
  if (!Number.isInteger(limit) || limit < 1) throw usageError("--limit is a whole number, 1 or more");
  const since = opts.since === undefined ? undefined : Date.parse(opts.since);
  if (since !== undefined && Number.isNaN(since))
    throw usageError(`--since is not a time: "${opts.since}" (ISO 8601, e.g. 2026-12-01T20:00:00+08:00)`);
  const file = resolve(config.dataDir, config.journal.file);
  if (!existsSync(file)) {
    process.stderr.write(`no journal at ${file} yet (the station creates it at its first start)\n`);
    return EXIT.failed;
  }
  const found = readJournalHistory(file, {
    types: (opts.type ?? "").split(",").map((t) => t.trim()),
    text: opts.text,
    sinceMs: since,
    limit,
  }).reverse();
  for (const e of found)
    process.stdout.write(
      `${opts.json ? JSON.stringify(e) : line(e as unknown as Record<string, unknown>)}\n`,
    );
  if (!opts.json && found.length === 0) process.stderr.write("no events\n");
  return EXIT.ok;
}
