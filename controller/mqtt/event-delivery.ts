import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { EventPage } from "../journal/event-page.ts";
import { REPLAYED_SUFFIX } from "../journal/sqlite-journal.ts";
import { fullJitterDelay } from "./backoff.ts";

/** What delivery needs of the journal. */
export interface DeliverySource {
  /** events up to `replayedUpTo` may come already marked replayed (REPLAYED_SUFFIX); bytes always do */
  read(afterSeq: number, limit: number, replayedUpTo?: number): Promise<EventPage>;
  ackUpTo(seq: number, count: number): void;
  onReadable(listener: () => void): () => void;
  /** the journal found older undelivered events (opened late): start again from the oldest */
  onRewind?(listener: () => void): () => void;
  readonly lastSeq: number;
}

/** What delivery needs of the connection. */
export interface DeliveryLink {
  publish(topic: string, payload: string | Buffer, opts: { qos: 1 }, cb: (err?: Error) => void): boolean;
}

export interface DeliveryOptions {
  topic: string;
  /** events in flight at most (further bounded by the broker's receive maximum) */
  window: number;
  pageSize?: number;
  retry?: { baseMs: number; capMs: number };
}

/**
 * Events read from the journal at a time. A page from disk is one transferred buffer outside
 * the JavaScript heap (event-page.ts), so its size no longer decides what the young generation
 * promotes (a 1024-event page of rows cloned as strings was promoted whole, 256 was the most
 * that was not). What it decides is how long a drain runs on what it has buffered while the
 * worker is busy with something else: deleting a delivered batch takes it 10-40 ms, which at
 * 50,000 events/s is more than 256 events and less than 1024 + the window.
 */
const PAGE_SIZE = 1024;

/**
 * Publishes the journal's events, QoS 1, in seq order, with up to `window` in flight. An event
 * is acknowledged to the journal (and so removed from it) only once the broker has sent its
 * PUBACK for it and for every event before it. After a reconnect everything not acknowledged is
 * sent again from the journal, in seq order; events that were waiting when the connection came
 * up are marked `replayed: true`.
 */
export class EventDelivery {
  /** bumped at every (re)connect and rewind: acknowledgements from before are ignored */
  private generation = 0;
  private connected = false;
  private paused = false;
  private window = 1;
  private readonly pageSize: number;
  /** seqs published and not yet acknowledged in order, oldest first */
  private sent: number[] = [];
  private sentHead = 0;
  private readonly ackedAhead = new Set<number>();
  /** pages read and not yet all sent, oldest first; `pageHead` is the next event of the first */
  private pages: EventPage[] = [];
  private pageHead = 0;
  private buffered = 0;
  /** the last seq read into the buffer */
  private cursor = 0;
  /** every event up to here has been acknowledged (or was never there) */
  private deliveredUpTo = 0;
  private replayUpTo = 0;
  private reading = false;
  /** something became readable while a read was on its way: read again if it came back short */
  private stale = false;
  private nacks = 0;
  private retryTimer: TimerHandle | undefined;
  private pumpScheduled = false;
  private readonly unsubscribers: (() => void)[] = [];
  /** events the broker acknowledged since start */
  published = 0;

  constructor(
    private readonly source: DeliverySource,
    private readonly link: DeliveryLink,
    private readonly opts: DeliveryOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.pageSize = opts.pageSize ?? PAGE_SIZE;
  }

  start(): void {
    this.unsubscribers.push(this.source.onReadable(() => this.pump()));
    const rewind = this.source.onRewind?.(() => {
      this.deliveredUpTo = 0;
      this.replayUpTo = this.source.lastSeq;
      this.rewind();
      this.pump();
    });
    if (rewind) this.unsubscribers.push(rewind);
  }

  stop(): void {
    for (const u of this.unsubscribers.splice(0)) u();
    this.clock.clearTimeout(this.retryTimer);
    this.connected = false;
    this.generation++;
  }

  get inFlight(): number {
    return this.sent.length - this.sentHead;
  }

  /** A connection is up: start over from the first event not yet acknowledged. */
  onConnect(receiveMaximum: number): void {
    this.connected = true;
    this.window = Math.max(1, Math.min(this.opts.window, receiveMaximum));
    this.replayUpTo = this.source.lastSeq;
    this.rewind();
    this.pump();
  }

  onDisconnect(): void {
    this.connected = false;
    this.rewind();
  }

  private rewind(): void {
    this.generation++;
    this.sent = [];
    this.sentHead = 0;
    this.ackedAhead.clear();
    this.pages = [];
    this.pageHead = 0;
    this.buffered = 0;
    this.cursor = this.deliveredUpTo;
    this.reading = false;
  }

  private pump(): void {
    if (!this.connected || this.paused) return;
    while (this.inFlight < this.window && this.buffered > 0) {
      const page = this.pages[0] as EventPage;
      const i = this.pageHead++;
      this.buffered--;
      if (this.pageHead === page.length) {
        this.pages.shift();
        this.pageHead = 0;
      }
      if (!this.send(page.seqs[i] as number, page.payload(i))) break;
    }
    if (this.buffered < this.pageSize) this.fill();
  }

  private fill(): void {
    if (this.reading) {
      this.stale = true;
      return;
    }
    this.reading = true;
    this.stale = false;
    const generation = this.generation;
    this.source.read(this.cursor, this.pageSize, this.replayUpTo).then(
      (page) => {
        if (generation !== this.generation) return;
        this.reading = false;
        const last = page.seqs.at(-1);
        if (last === undefined) {
          if (this.stale) this.pump();
          return;
        }
        this.pages.push(page);
        this.buffered += page.length;
        this.cursor = last;
        this.pump();
      },
      (err) => {
        if (generation !== this.generation) return;
        this.reading = false;
        this.log.warn({ err: String(err) }, "could not read the journal for delivery");
        this.pauseAndRetry();
      },
    );
  }

  /** false when there is no connection to publish on (the event stays for the next one) */
  private send(seq: number, json: string | Buffer): boolean {
    // Bytes come from disk, marked replayed by the read already; text comes from memory.
    const payload =
      typeof json === "string" && seq <= this.replayUpTo && !json.endsWith(REPLAYED_SUFFIX)
        ? json.slice(0, -1) + REPLAYED_SUFFIX
        : json;
    const generation = this.generation;
    this.sent.push(seq);
    const ok = this.link.publish(this.opts.topic, payload, { qos: 1 }, (err) => {
      if (generation !== this.generation) return;
      if (err) this.onRefused(seq, err);
      else this.onAck(seq);
    });
    if (!ok) this.sent.pop();
    return ok;
  }

  private onAck(seq: number): void {
    this.published++;
    this.nacks = 0;
    if (this.sent[this.sentHead] !== seq) {
      this.ackedAhead.add(seq);
      return;
    }
    let count = 1;
    let upTo = seq;
    this.sentHead++;
    for (
      let next = this.sent[this.sentHead];
      next !== undefined && this.ackedAhead.delete(next);
      next = this.sent[this.sentHead]
    ) {
      upTo = next;
      count++;
      this.sentHead++;
    }
    if (this.sentHead > 4096 && this.sentHead * 2 > this.sent.length) {
      this.sent = this.sent.slice(this.sentHead);
      this.sentHead = 0;
    }
    this.deliveredUpTo = upTo;
    this.source.ackUpTo(upTo, count);
    this.schedulePump();
  }

  /**
   * One socket read carries many PUBACKs; refilling the window once after all of them, rather
   * than after each, lets the new PUBLISHes leave in one write instead of one syscall each.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** The broker refused an event (an MQTT 5 PUBACK reason code): keep it, slow down, send again. */
  private onRefused(seq: number, err: Error): void {
    this.nacks++;
    const level = this.nacks === 1 || this.nacks % 100 === 0 ? "warn" : "debug";
    this.log[level](
      { seq, err: err.message, refusals: this.nacks },
      "the broker refused an event; it stays in the journal",
    );
    this.pauseAndRetry();
  }

  private pauseAndRetry(): void {
    this.rewind();
    if (this.paused) return;
    this.paused = true;
    const { baseMs, capMs } = this.opts.retry ?? { baseMs: 1000, capMs: 60_000 };
    const delay = Math.max(baseMs / 2, fullJitterDelay(Math.min(this.nacks, 20), baseMs, capMs, Math.random));
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.paused = false;
      this.pump();
    }, delay);
  }
}
