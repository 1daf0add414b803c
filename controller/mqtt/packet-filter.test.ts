import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IncomingPacketFilter, pubackFor } from "./packet-filter.ts";

/** An MQTT fixed header + body, written from the spec (§2.2.3 variable-length remaining length). */
function header(first: number, remaining: number): Buffer {
  const len: number[] = [];
  let x = remaining;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    len.push(b);
  } while (x > 0);
  return Buffer.from([first, ...len]);
}

function frame(first: number, body: Buffer): Buffer {
  return Buffer.concat([header(first, body.length), body]);
}

function publish(topic: string, payloadBytes: number, qos: number, packetId: number): Buffer {
  const t = Buffer.from(topic);
  const id = qos > 0 ? Buffer.from([packetId >> 8, packetId & 0xff]) : Buffer.alloc(0);
  const head = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, id]);
  return frame(0x30 | (qos << 1), Buffer.concat([head, Buffer.alloc(payloadBytes, 0x61)]));
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(buf.subarray(from, p));
    from = p;
  }
  out.push(buf.subarray(from));
  return out;
}

const LIMIT = 300;

const packetArb = fc.oneof(
  fc.record({
    kind: fc.constant("publish" as const),
    topic: fc.string({ minLength: 1, maxLength: 40 }),
    payload: fc.oneof(fc.nat(200), fc.integer({ min: 300, max: 20_000 })),
    qos: fc.integer({ min: 0, max: 1 }),
    id: fc.integer({ min: 1, max: 65_535 }),
  }),
  fc.constant({ kind: "puback" as const }),
  fc.constant({ kind: "pingresp" as const }),
);

describe("IncomingPacketFilter", () => {
  it("passes every packet up to the limit byte for byte, skips oversize publishes, however the stream is cut", () => {
    fc.assert(
      fc.property(
        fc.array(packetArb, { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (packets, cuts) => {
          const framed = packets.map((p, n) =>
            p.kind === "publish"
              ? { p, bytes: publish(p.topic, p.payload, p.qos, p.id) }
              : p.kind === "puback"
                ? { p, bytes: pubackFor(n + 1) }
                : { p, bytes: frame(0xd0, Buffer.alloc(0)) },
          );
          const expectedPass = Buffer.concat(
            framed.filter((f) => f.bytes.length <= LIMIT).map((f) => f.bytes),
          );
          const expectedDropped = framed
            .filter((f) => f.bytes.length > LIMIT && f.p.kind === "publish")
            .map((f) => {
              const p = f.p as { qos: number; id: number };
              return { bytes: f.bytes.length, qos: p.qos, ...(p.qos > 0 ? { packetId: p.id } : {}) };
            });
          const filter = new IncomingPacketFilter(LIMIT);
          const passed: Buffer[] = [];
          const dropped: unknown[] = [];
          for (const chunk of splitAt(Buffer.concat(framed.map((f) => f.bytes)), cuts)) {
            const out = filter.feed(chunk);
            expect(out.violation).toBeUndefined();
            passed.push(...out.chunks);
            dropped.push(...out.dropped);
          }
          expect(Buffer.concat(passed).equals(expectedPass)).toBe(true);
          expect(dropped).toEqual(expectedDropped);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a 64 MiB publish announced in its header is skipped without being held", () => {
    const filter = new IncomingPacketFilter(256 * 1024);
    const size = 64 * 1024 * 1024;
    const topic = Buffer.from("waystation/v1/s1/state/get");
    const variable = Buffer.concat([Buffer.from([0, topic.length]), topic, Buffer.from([0, 77])]);
    const fixed = header(0x32, variable.length + size);
    let out = filter.feed(Buffer.concat([fixed, variable]));
    expect(out.chunks).toEqual([]);
    const mib = Buffer.alloc(1024 * 1024);
    for (let k = 0; k < 64; k++) {
      out = filter.feed(mib);
      expect(out.chunks).toEqual([]);
      if (k < 63) expect(out.dropped).toEqual([]);
    }
    expect(out.dropped).toEqual([{ bytes: fixed.length + variable.length + size, qos: 1, packetId: 77 }]);
    const after = filter.feed(pubackFor(5));
    expect(Buffer.concat(after.chunks)).toEqual(pubackFor(5));
  });

  it("an oversize packet that is not a publish, or a malformed length, ends the stream", () => {
    const suback = frame(0x90, Buffer.alloc(500));
    expect(new IncomingPacketFilter(LIMIT).feed(suback).violation).toMatch(/type 9/);
    const f = new IncomingPacketFilter(LIMIT);
    expect(f.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])).violation).toMatch(/malformed/);
    expect(f.feed(pubackFor(1)).violation).toBeDefined();
  });
});
