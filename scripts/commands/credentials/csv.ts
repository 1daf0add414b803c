import type { CredentialRecord } from "../../../controller/access/credential-store.ts";
import { usageError } from "../usage.ts";
import { flag, role, schedule, time } from "./fields.ts";

export type HashOf = (id: string) => string;

export interface CsvContext {
  readonly hashOf: HashOf;
  /** the station's time zone: date-only values are days there */
  readonly timeZone: string;
  /** access.schedules: a row naming another is refused */
  readonly schedules: Record<string, unknown>;
}

export const COLUMNS = ["uid", "personId", "role", "validFrom", "validUntil", "schedule", "face"] as const;

/**
 * The separator a file uses: spreadsheets in locales with a decimal comma (and many Chinese
 * Excel set-ups) save "CSV" with `;`; a tab comes from copying cells.
 */
export function detectSeparator(line: string): string {
  const count = (c: string) => line.split(c).length - 1;
  const [best] = [";", "\t", ","].sort((a, b) => count(b) - count(a));
  return best && count(best) > 0 ? best : ",";
}

/** One line's fields: quoted fields may hold the separator and doubled quotes ("a ""b"""). */
export function splitLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === "") {
      quoted = true;
      cur = "";
    } else if (ch === sep) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * Parse an import file. Every bad line is reported, and nothing is imported unless all are
 * good: a half-applied list leaves a technician guessing which rows went in. A card twice in
 * the file is refused (which row should win?), with both line numbers but never the number.
 */
export function parseCsv(text: string, ctx: CsvContext): CredentialRecord[] {
  const out: CredentialRecord[] = [];
  const errors: string[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const firstData = lines.find((l) => l.trim() !== "" && !l.startsWith("#")) ?? "";
  const sep = detectSeparator(firstData);
  const seen = new Map<string, number>();
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const cells = splitLine(line, sep);
    if (line === firstData && /^uid$/i.test(cells[0] ?? "")) return; // the header
    const [uid = "", personId = "", r, from, until, sched, face] = cells;
    try {
      if (!personId) throw usageError("personId is empty");
      const credential = ctx.hashOf(uid);
      const earlier = seen.get(credential);
      if (earlier !== undefined) throw usageError(`the same card as line ${earlier}`);
      seen.set(credential, i + 1);
      out.push({
        credential,
        personId,
        role: role(r),
        status: "active",
        validFrom: time(from, "validFrom", "start", ctx.timeZone),
        validUntil: time(until, "validUntil", "end", ctx.timeZone),
        schedule: schedule(sched, ctx.schedules),
        secondFactor: flag(face, "face"),
      });
    } catch (err) {
      errors.push(`  line ${i + 1}: ${(err as Error).message}`);
    }
  });
  if (errors.length > 0)
    throw usageError(`${errors.length} bad line(s); nothing imported:\n${errors.join("\n")}`);
  return out;
}
