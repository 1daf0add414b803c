import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { StationError } from "../../config/errors.ts";
import { type ListEntry, ListEntrySchema } from "../../controller/contract/command-wire.ts";
import { ListHash } from "../../controller/credentials/list-hash.ts";

export function readEntries(file: string): ListEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new StationError("INPUT_FILE_INVALID", "cli", `${file} is not a readable JSON file`, { cause });
  }
  const parsed = z.array(ListEntrySchema).safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new StationError("INPUT_FILE_INVALID", "cli", `${file}: ${i?.path.join(".")}: ${i?.message}`, {
      hint: 'a JSON array of {"credential": "<64 hex>", "personId": "...", "role": "worker", ...}',
    });
  }
  return parsed.data;
}

/** `--remove FILE`: a JSON array of the credential hashes a delta takes out. */
export function readRemovals(file: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new StationError("INPUT_FILE_INVALID", "cli", `${file} is not a readable JSON file`, { cause });
  }
  const parsed = z.array(z.string().regex(/^[0-9a-f]{64}$/)).safeParse(raw);
  if (!parsed.success)
    throw new StationError("INPUT_FILE_INVALID", "cli", `${file}: not a list of credential hashes`, {
      hint: 'a JSON array of the hashes to take out: ["<64 hex>", ...]',
    });
  return parsed.data;
}

export function listHash(entries: Iterable<ListEntry>): string {
  const h = new ListHash();
  for (const e of entries) h.add(e);
  return h.hex();
}

/** The list a delta leads to: the previous list, minus what it removes, with its entries upserted. */
export function afterDelta(
  previous: readonly ListEntry[],
  upsert: readonly ListEntry[],
  remove: readonly string[],
): ListEntry[] {
  const m = new Map(previous.map((e) => [e.credential, e]));
  for (const c of remove) m.delete(c);
  for (const e of upsert) m.set(e.credential, e);
  return [...m.values()];
}

/**
 * The envelopes of one list, split into chunks of at most `perChunk` entries (each chunk a
 * signed message of its own, with its own id and nonce; the station applies the list when all
 * are in and the whole matches `listHash`).
 */
export function listEnvelopes(opts: {
  station: string;
  type: "full" | "delta";
  listVersion: number;
  baseVersion?: number | undefined;
  entries: readonly ListEntry[];
  remove?: readonly string[];
  listHash: string;
  /** the fingerprint of the credential key the entries are hashed under */
  keyFingerprint: string;
  perChunk: number;
  lifetimeS?: number;
  now?: number;
}): (Record<string, unknown> & { id: string })[] {
  const now = opts.now ?? Date.now();
  const remove = opts.remove ?? [];
  const items = Math.max(1, Math.ceil((opts.entries.length + remove.length) / opts.perChunk));
  const out: (Record<string, unknown> & { id: string })[] = [];
  const tag = randomBytes(3).toString("hex");
  for (let i = 0; i < items; i++) {
    const from = i * opts.perChunk;
    const entries = opts.entries.slice(from, from + opts.perChunk);
    const rFrom = Math.max(0, from - opts.entries.length);
    const rTo = Math.max(0, from + opts.perChunk - opts.entries.length);
    out.push({
      kind: "credentials",
      id: `l-${opts.listVersion}-${tag}-${i}`,
      station: opts.station,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + (opts.lifetimeS ?? 900) * 1000).toISOString(),
      nonce: randomBytes(18).toString("base64url"),
      listVersion: opts.listVersion,
      type: opts.type,
      ...(opts.type === "delta" ? { baseVersion: opts.baseVersion ?? 0 } : {}),
      listHash: opts.listHash,
      keyFingerprint: opts.keyFingerprint,
      chunk: { index: i, count: items },
      entries,
      ...(opts.type === "delta" ? { remove: remove.slice(rFrom, rTo) } : {}),
    });
  }
  return out;
}
