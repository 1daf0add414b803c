import { Duplex } from "node:stream";
import { type DroppedPacket, type IncomingPacketFilter, pubackFor } from "./packet-filter.ts";

/**
 * The socket mqtt.js reads, through the filter: writes pass straight on; reads are what the
 * filter lets through. An oversize QoS 1 publish is acknowledged here, in order with mqtt.js's
 * own writes, so the broker does not redeliver it at every reconnect.
 */
export function guardedStream(
  socket: Duplex,
  filter: IncomingPacketFilter,
  dropped: (d: DroppedPacket) => void,
  reads: ReusedReadBuffer | undefined,
): Duplex {
  const guarded: Duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      socket.write(chunk, cb);
    },
    // mqtt-packet writes a packet in pieces between cork() and uncork(): without writev each
    // piece reached the socket as a write syscall of its own (most of the drain's CPU time).
    writev(chunks, cb) {
      socket.cork();
      for (let i = 0; i < chunks.length - 1; i++) socket.write(chunks[i]?.chunk as Buffer);
      socket.write(chunks.at(-1)?.chunk as Buffer, cb);
      socket.uncork();
    },
    final(cb) {
      socket.end(cb);
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  const feed = (chunk: Buffer, reused: boolean): boolean => {
    const out = filter.feed(chunk);
    let more = true;
    // A reused read buffer is overwritten by the next read: what passes is copied out of it.
    for (const c of out.chunks) more = guarded.push(reused ? Buffer.from(c) : c) && more;
    for (const d of out.dropped) {
      if (d.qos === 1 && d.packetId !== undefined) guarded.write(pubackFor(d.packetId));
      dropped(d);
    }
    if (out.violation) guarded.destroy(Object.assign(new Error(out.violation), { code: "MQTT_OVERSIZE" }));
    return more;
  };
  if (reads) reads.sink = (chunk) => feed(chunk, true);
  else
    socket.on("data", (chunk: Buffer) => {
      if (!feed(chunk, false)) socket.pause();
    });
  socket.on("end", () => guarded.push(null));
  socket.on("error", (err) => guarded.destroy(err));
  socket.on("close", () => guarded.destroy());
  return guarded;
}

/**
 * One read buffer per connection, reused for every read (net's `onread`): the bytes of an
 * oversize packet the filter skips are never allocated, so not even garbage piles up. (Over
 * WebSockets the stream's own chunks are used; their memory is bounded by the GC instead.)
 */
export class ReusedReadBuffer {
  sink: ((chunk: Buffer) => boolean) | undefined;
  readonly onread = {
    buffer: Buffer.allocUnsafe(64 * 1024),
    callback: (n: number, buf: Uint8Array): boolean =>
      this.sink?.(Buffer.from(buf.buffer, buf.byteOffset, n)) ?? true,
  };
}
