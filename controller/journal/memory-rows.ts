import { RowQueue } from "./row-queue.ts";
import type { JournalRow } from "./sqlite-journal.ts";

/**
 * Committed events kept in memory for delivery while the disk is healthy. Enough for a
 * connected station to publish without reading back; more would only give the garbage
 * collector live objects to copy (its pauses stall the door's event loop).
 */
const LIVE_CACHE = 4096;

/**
 * What the journal holds in memory: the events appended and not yet committed, and a cache of
 * the newest committed ones not yet acknowledged. While the disk is unwritable memory is the
 * journal: both together are bounded by `memoryEvents`, the oldest dropped and counted.
 */
export class MemoryRows {
  /** committed and not yet acknowledged; the newest LIVE_CACHE of them while healthy */
  readonly committed = new RowQueue();
  /** appended, not yet committed */
  readonly uncommitted = new RowQueue();
  /** rows up to this seq may be on disk only (evicted from memory, or from an earlier boot) */
  diskOnlyUpTo = 0;
  /** events dropped from memory, never written */
  dropped = 0;

  constructor(private readonly memoryEvents: number) {}

  /** Up to `limit` rows after `afterSeq`: committed ones, and with `all` the uncommitted too. */
  collect(afterSeq: number, limit: number, all: boolean): JournalRow[] {
    const out: JournalRow[] = [];
    this.committed.collectAfter(afterSeq, limit, out);
    if (all && out.length < limit) this.uncommitted.collectAfter(afterSeq, limit, out);
    return out;
  }

  ackUpTo(seq: number, all: boolean): void {
    this.committed.dropUpTo(seq);
    if (all) this.uncommitted.dropUpTo(seq);
  }

  /** A group committed up to `upTo`: it moves to the cache (what is not acknowledged yet). */
  committedUpTo(upTo: number, ackedUpTo: number, retentionDroppedTo: number | undefined): void {
    for (let row = this.uncommitted.first(); row && row[0] <= upTo; row = this.uncommitted.first()) {
      this.uncommitted.shift();
      if (row[0] > ackedUpTo) this.committed.push(row);
    }
    if (retentionDroppedTo !== undefined) this.committed.dropUpTo(retentionDroppedTo);
    while (this.committed.length > Math.min(LIVE_CACHE, this.memoryEvents)) this.evictCommitted();
  }

  /** While unwritable: keep within `memoryEvents`; `onDrop` hears of each event lost. */
  trim(onDrop: (seq: number) => void): void {
    while (this.committed.length + this.uncommitted.length > this.memoryEvents) {
      if (this.committed.length > 0) {
        this.evictCommitted();
        continue;
      }
      const row = this.uncommitted.shift();
      if (!row) break;
      this.dropped++;
      onDrop(row[0]);
    }
  }

  /** A committed row leaves memory; it is still on disk. */
  private evictCommitted(): void {
    const row = this.committed.shift();
    if (row && row[0] > this.diskOnlyUpTo) this.diskOnlyUpTo = row[0];
  }
}
