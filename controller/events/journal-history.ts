import Database from "better-sqlite3";
import type { StationEvent } from "../contract/events.ts";

/** What the event log asks of history: all optional but the limit. */
export interface HistoryFilter {
  /** type prefixes, any of which matches ("access.", "door.") */
  readonly types?: readonly string[];
  /** text anywhere in the event (case-insensitive for ASCII) */
  readonly text?: string | undefined;
  /** epoch ms: only events at or after */
  readonly sinceMs?: number | undefined;
  /** only events before this seq (the next page of an older history) */
  readonly beforeSeq?: number | undefined;
  readonly limit: number;
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The station's history from its journal (`events`: seq, type, payload), newest first, through a
 * read-only connection of its own: WAL lets it read while the station writes, and nothing here
 * can change or lock the journal. No journal yet (or none readable): no history, not an error.
 * The filters run in SQL, so a long journal is not parsed row by row.
 */
export function readJournalHistory(file: string, f: HistoryFilter): StationEvent[] {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const types = (f.types ?? []).filter(Boolean);
    if (types.length > 0) {
      where.push(`(${types.map(() => "type LIKE ? ESCAPE '\\'").join(" OR ")})`);
      for (const t of types) args.push(`${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (f.text) {
      where.push("payload LIKE ? ESCAPE '\\'");
      args.push(like(f.text));
    }
    if (f.sinceMs !== undefined) {
      // events carry ts as toISOString() (UTC, Z): ISO strings compare as times
      where.push("json_extract(payload, '$.ts') >= ?");
      args.push(new Date(f.sinceMs).toISOString());
    }
    if (f.beforeSeq !== undefined) {
      where.push("seq < ?");
      args.push(f.beforeSeq);
    }
    args.push(f.limit);
    const rows = db
      .prepare(
        `SELECT payload FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...args) as { payload: string }[];
    return rows.flatMap((r) => {
      try {
        return [JSON.parse(r.payload) as StationEvent];
      } catch {
        return [];
      }
    });
  } catch {
    // a journal mid-recovery (moved aside, being rebuilt): no history this time
    return [];
  } finally {
    db.close();
  }
}

/** Journal rows and the events of this run held in memory, one list newest first, each seq once. */
export function mergeHistory(
  journal: readonly StationEvent[],
  recent: readonly StationEvent[],
  limit: number,
): StationEvent[] {
  const bySeq = new Map<number, StationEvent>();
  for (const e of [...journal, ...recent]) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, limit);
}
