import type { JournalRow } from "./sqlite-journal.ts";

/**
 * Rows in seq order with cheap removal at the front (an array with a moving head, compacted
 * now and then), and a binary search by seq.
 */
export class RowQueue {
  private items: JournalRow[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  at(i: number): JournalRow | undefined {
    return this.items[this.head + i];
  }

  first(): JournalRow | undefined {
    return this.items[this.head];
  }

  last(): JournalRow | undefined {
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  push(row: JournalRow): void {
    this.items.push(row);
    this.bytes += row[3].length;
  }

  shift(): JournalRow | undefined {
    const row = this.items[this.head];
    if (!row) return undefined;
    this.items[this.head] = undefined as unknown as JournalRow;
    this.head++;
    this.bytes -= row[3].length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return row;
  }

  /** Remove rows from the front while their seq is at most `seq`; how many went. */
  dropUpTo(seq: number): number {
    let n = 0;
    for (let row = this.first(); row && row[0] <= seq; row = this.first()) {
      this.shift();
      n++;
    }
    return n;
  }

  /** Index of the first row whose seq is greater than `seq` (length when none). */
  indexAfter(seq: number): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.items[mid]?.[0] ?? 0) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }

  /** Up to `limit` rows after `seq`, appended to `out`. */
  collectAfter(seq: number, limit: number, out: JournalRow[]): void {
    for (let i = this.indexAfter(seq); i < this.length && out.length < limit; i++) {
      const row = this.at(i);
      if (row) out.push(row);
    }
  }

  slice(count: number): JournalRow[] {
    return this.items.slice(this.head, this.head + count);
  }
}
