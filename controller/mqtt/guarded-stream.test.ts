import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { guardedStream } from "./guarded-stream.ts";
import { IncomingPacketFilter } from "./packet-filter.ts";

/** A socket whose writes complete at once, as a TCP socket's do when the kernel takes the bytes. */
function countingSocket() {
  const calls: number[] = [];
  const bytes: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      calls.push(1);
      bytes.push(chunk);
      cb();
    },
    writev(chunks, cb) {
      calls.push(chunks.length);
      for (const c of chunks) bytes.push(c.chunk as Buffer);
      cb();
    },
  });
  return { socket, calls, bytes };
}

describe("the guarded stream's writes", () => {
  it("reach the socket as one write per corked packet, not one per piece", async () => {
    const { socket, calls, bytes } = countingSocket();
    const guarded = guardedStream(socket, new IncomingPacketFilter(1024), () => {}, undefined);
    // What mqtt-packet does for every packet: cork, write the pieces, uncork on the next tick.
    const pieces = [Buffer.from([0x32]), Buffer.from([7]), Buffer.from("topic"), Buffer.from("{}")];
    let done = false;
    guarded.cork();
    for (const p of pieces.slice(0, -1)) guarded.write(p);
    guarded.write(pieces.at(-1), () => {
      done = true;
    });
    await new Promise((r) => process.nextTick(r));
    guarded.uncork();
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([4]);
    expect(Buffer.concat(bytes)).toEqual(Buffer.concat(pieces));
    expect(done).toBe(true);
  });
});
