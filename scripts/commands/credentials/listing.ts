import Database from "better-sqlite3";
import type { CredentialEntry } from "../../../controller/access/credential-store.ts";
import { shortHash } from "./identifiers.ts";

export interface ListedCredential extends CredentialEntry {
  /** the keyed hash, shortened: the store never holds a card's number to show */
  readonly hash: string;
  readonly source: string;
}

interface Row {
  hash: Buffer;
  person_id: string;
  role: CredentialEntry["role"];
  status: CredentialEntry["status"];
  valid_from: number | null;
  valid_until: number | null;
  schedule: string | null;
  second_factor: number;
  source: string;
}

/**
 * The store's entries, read through a read-only connection of its own (WAL: the running
 * station keeps writing meanwhile). Ordered by person so one person's cards sit together.
 */
export function listCredentials(
  file: string,
  filter: { person?: string; hash?: string } = {},
): ListedCredential[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const where: string[] = [];
    const args: (string | Buffer)[] = [];
    if (filter.person !== undefined) {
      where.push("person_id = ?");
      args.push(filter.person);
    }
    if (filter.hash !== undefined) {
      where.push("hash = ?");
      args.push(Buffer.from(filter.hash, "hex"));
    }
    const rows = db
      .prepare(
        `SELECT * FROM credentials ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY person_id, hash`,
      )
      .all(...args) as Row[];
    return rows.map((r) => ({
      hash: shortHash(r.hash.toString("hex")),
      personId: r.person_id,
      role: r.role,
      status: r.status,
      validFrom: r.valid_from ?? undefined,
      validUntil: r.valid_until ?? undefined,
      schedule: r.schedule ?? undefined,
      secondFactor: r.second_factor === 1,
      source: r.source,
    }));
  } finally {
    db.close();
  }
}

const day = (ms: number | undefined, timeZone: string) =>
  ms === undefined ? "-" : new Date(ms).toLocaleString("sv-SE", { timeZone }).slice(0, 16);

export function formatListing(rows: readonly ListedCredential[], timeZone: string): string {
  const head = ["HASH", "PERSON", "ROLE", "STATUS", "FROM", "UNTIL", "SCHEDULE", "2ND", "SOURCE"];
  const body = rows.map((r) => [
    r.hash,
    r.personId,
    r.role,
    r.status,
    day(r.validFrom, timeZone),
    day(r.validUntil, timeZone),
    r.schedule ?? "-",
    r.secondFactor ? "yes" : "no",
    r.source,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(head), ...body.map(line)].join("\n")}\n${rows.length} credential(s); times in ${timeZone}\n`;
}
