import type { JournalRow } from "./sqlite-journal.ts";

/**
 * Events read from disk as the worker sends them: their seqs, and their JSON one after the
 * other as UTF-8 bytes (`ends[i]` is where event i's ends). The bytes' ArrayBuffer is
 * transferred, not cloned: a page is one allocation outside the JavaScript heap instead of an
 * array, three strings and a number per event in the young generation, and what is published
 * is a view of it (no string to encode again per PUBLISH).
 */
export interface PackedRows {
  seqs: number[];
  ends: number[];
  bytes: Uint8Array;
}

/** Events as delivery reads them: each one's seq and the JSON to publish. */
export class EventPage {
  private constructor(
    readonly seqs: readonly number[],
    private readonly texts: readonly string[] | undefined,
    private readonly packed: { bytes: Buffer; ends: readonly number[] } | undefined,
  ) {}

  static empty = new EventPage([], [], undefined);

  /** From the journal's memory (text). */
  static fromRows(rows: readonly JournalRow[]): EventPage {
    return new EventPage(
      rows.map((r) => r[0]),
      rows.map((r) => r[3]),
      undefined,
    );
  }

  /** From the worker's packed reply. */
  static fromPacked(p: PackedRows): EventPage {
    const bytes = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
    return new EventPage(p.seqs, undefined, { bytes, ends: p.ends });
  }

  get length(): number {
    return this.seqs.length;
  }

  /** Event i's JSON: bytes when read from disk, text from memory. */
  payload(i: number): string | Buffer {
    if (this.texts) return this.texts[i] ?? "";
    const { bytes, ends } = this.packed as NonNullable<EventPage["packed"]>;
    return bytes.subarray(i === 0 ? 0 : (ends[i - 1] ?? 0), ends[i] ?? 0);
  }

  /** Event i's JSON as text (tests, logs). */
  text(i: number): string {
    return String(this.payload(i));
  }
}

/** Pack rows of (seq, JSON) for the transfer to the main thread (in the worker). */
export function packRows(rows: readonly (readonly [number, string])[]): PackedRows {
  const seqs = new Array<number>(rows.length);
  const ends = new Array<number>(rows.length);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as readonly [number, string];
    seqs[i] = row[0];
    total += Buffer.byteLength(row[1]);
    ends[i] = total;
  }
  // Its own ArrayBuffer (never the shared pool), so that it can be transferred.
  const bytes = Buffer.allocUnsafeSlow(total);
  for (let i = 0; i < rows.length; i++)
    bytes.write((rows[i] as readonly [number, string])[1], i === 0 ? 0 : (ends[i - 1] ?? 0));
  return { seqs, ends, bytes };
}
