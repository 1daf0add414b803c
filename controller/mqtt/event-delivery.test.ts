import pino from "pino";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { EventPage } from "../journal/event-page.ts";
import type { JournalRow } from "../journal/sqlite-journal.ts";
import { type DeliveryLink, type DeliverySource, EventDelivery } from "./event-delivery.ts";

/** A journal of `n` events in memory, recording what was acknowledged. */
class Rows implements DeliverySource {
  acked = 0;
  private listener: () => void = () => {};
  private rewindListener: () => void = () => {};
  constructor(readonly rows: JournalRow[]) {}
  async read(afterSeq: number, limit: number): Promise<EventPage> {
    return EventPage.fromRows(this.rows.filter((r) => r[0] > afterSeq && r[0] > this.acked).slice(0, limit));
  }
  ackUpTo(seq: number): void {
    this.acked = Math.max(this.acked, seq);
  }
  onReadable(l: () => void): () => void {
    this.listener = l;
    return () => {};
  }
  readable(): void {
    this.listener();
  }
  onRewind(l: () => void): () => void {
    this.rewindListener = l;
    return () => {};
  }
  rewind(): void {
    this.acked = 0;
    this.rewindListener();
  }
  get lastSeq(): number {
    return this.rows.at(-1)?.[0] ?? 0;
  }
}

/** A link whose PUBACKs the test hands out. */
class Link implements DeliveryLink {
  readonly sent: { seq: number; payload: string; cb: (err?: Error) => void }[] = [];
  up = true;
  publish(_topic: string, bytes: string | Buffer, _opts: { qos: 1 }, cb: (err?: Error) => void): boolean {
    if (!this.up) return false;
    const payload = String(bytes);
    this.sent.push({ seq: Number(JSON.parse(payload).seq), payload, cb });
    return true;
  }
  ack(seq: number, err?: Error): void {
    this.sent.find((s) => s.seq === seq)?.cb(err);
  }
}

const rows = (n: number, from = 1): JournalRow[] =>
  Array.from({ length: n }, (_, i) => [
    from + i,
    `id-${from + i}`,
    "door.closed",
    JSON.stringify({ seq: from + i, type: "door.closed" }),
  ]);
const settle = () => new Promise((r) => setImmediate(r));

function setup(n: number, window = 4) {
  const source = new Rows(rows(n));
  const link = new Link();
  const clock = new ManualClock();
  const d = new EventDelivery(
    source,
    link,
    { topic: "t", window, retry: { baseMs: 100, capMs: 1000 } },
    clock,
    pino({ level: "silent" }),
  );
  d.start();
  return { source, link, clock, d };
}

describe("event delivery", () => {
  it("keeps at most `window` events in flight, in seq order, and never more than the broker's receive maximum", async () => {
    const { link, d } = setup(10, 4);
    d.onConnect(3);
    await settle();
    expect(link.sent.map((s) => s.seq)).toEqual([1, 2, 3]);
    link.ack(1);
    await settle();
    await settle();
    expect(link.sent.map((s) => s.seq)).toEqual([1, 2, 3, 4]);
  });

  it("acknowledges to the journal only the contiguous prefix the broker acknowledged", async () => {
    const { source, link, d } = setup(10, 4);
    d.onConnect(65535);
    await settle();
    link.ack(2);
    link.ack(3);
    expect(source.acked).toBe(0);
    link.ack(1);
    expect(source.acked).toBe(3);
  });

  it("after a reconnect, sends again everything not acknowledged, marked replayed", async () => {
    const { source, link, d } = setup(6, 4);
    d.onConnect(65535);
    await settle();
    link.ack(1);
    d.onDisconnect();
    link.ack(2); // an acknowledgement from the dead connection: ignored
    expect(source.acked).toBe(1);
    link.sent.length = 0;
    d.onConnect(65535);
    await settle();
    expect(link.sent.map((s) => s.seq)).toEqual([2, 3, 4, 5]);
    expect(link.sent.every((s) => JSON.parse(s.payload).replayed === true)).toBe(true);
  });

  it("events appended while connected are not marked replayed", async () => {
    const { source, link, d } = setup(2, 8);
    d.onConnect(65535);
    await settle();
    source.rows.push(...rows(2, 3));
    source.readable();
    await settle();
    const bySeq = new Map(link.sent.map((s) => [s.seq, JSON.parse(s.payload)]));
    expect(bySeq.get(2)?.replayed).toBe(true);
    expect(bySeq.get(3)?.replayed).toBeUndefined();
  });

  it("an event the broker refuses stays, and is sent again after a pause", async () => {
    const { source, link, clock, d } = setup(3, 4);
    d.onConnect(65535);
    await settle();
    link.ack(1, Object.assign(new Error("Publish error: Quota exceeded"), { code: 151 }));
    expect(source.acked).toBe(0);
    link.sent.length = 0;
    await settle();
    expect(link.sent).toEqual([]);
    clock.advance(1000);
    await settle();
    expect(link.sent.map((s) => s.seq)).toEqual([1, 2, 3]);
  });

  it("a rewind from the journal starts again from the oldest event", async () => {
    const { source, link, d } = setup(4, 8);
    d.onConnect(65535);
    await settle();
    for (const seq of [1, 2, 3, 4]) link.ack(seq);
    expect(source.acked).toBe(4);
    link.sent.length = 0;
    source.rewind();
    await settle();
    expect(link.sent.map((s) => s.seq)).toEqual([1, 2, 3, 4]);
  });
});
