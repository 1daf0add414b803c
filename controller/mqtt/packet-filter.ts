/**
 * A guard on the bytes the broker sends, in front of mqtt.js's parser.
 *
 * mqtt.js buffers a whole packet before anyone sees it, and honours a maximum packet size only
 * on MQTT 5 (and then only after buffering it): one 64 MiB publish on a topic the station reads
 * costs it 64 MiB and more of RSS. This filter reads each packet's fixed header (type byte and
 * remaining length, MQTT 3.1.1 §2.2 / MQTT 5 §2.1, the same in both) and lets packets up to the
 * limit through untouched; an oversize PUBLISH is skipped as it streams by, keeping only its
 * topic length and packet identifier (to acknowledge it, so the broker does not send it again).
 * Any other oversize packet is a protocol violation: the connection is dropped. Pure: bytes in,
 * bytes and verdicts out.
 */
export interface DroppedPacket {
  /** the whole packet's size, fixed header included */
  readonly bytes: number;
  readonly qos: number;
  /** present for QoS 1 and 2 */
  readonly packetId?: number;
}

export interface FilterOutput {
  /** bytes for the parser, in order */
  readonly chunks: Buffer[];
  readonly dropped: DroppedPacket[];
  /** set when the stream cannot go on (malformed length, oversize packet that is not a PUBLISH) */
  readonly violation?: string;
}

const PUBLISH = 3;

type Mode =
  | { kind: "header"; held: number[]; startedAt: number | undefined }
  | { kind: "pass"; left: number }
  | { kind: "skip"; left: number; bytes: number; qos: number; head: number[]; need: number };

export class IncomingPacketFilter {
  private mode: Mode = { kind: "header", held: [], startedAt: undefined };
  private broken: string | undefined;

  constructor(readonly limit: number) {}

  feed(chunk: Buffer): FilterOutput {
    const chunks: Buffer[] = [];
    const dropped: DroppedPacket[] = [];
    if (this.broken) return { chunks, dropped, violation: this.broken };
    // Start of the bytes of this chunk that pass and are not yet emitted; none while a header
    // from the last chunk is still incomplete or an oversize packet is being skipped.
    const m0 = this.mode;
    let run: number | undefined =
      m0.kind === "pass" || (m0.kind === "header" && m0.held.length === 0) ? 0 : undefined;
    const flush = (end: number) => {
      if (run !== undefined && end > run) chunks.push(chunk.subarray(run, end));
      run = undefined;
    };
    let i = 0;
    while (i < chunk.length) {
      const m = this.mode;
      if (m.kind === "header") {
        if (m.held.length === 0) {
          flush(i);
          m.startedAt = i;
        }
        const b = chunk[i++] ?? 0;
        m.held.push(b);
        if (m.held.length < 2 || (b & 0x80) !== 0) {
          if (m.held.length === 5) return this.fail(chunks, dropped, "malformed remaining length");
          continue;
        }
        const length = remainingLength(m.held);
        const total = m.held.length + length;
        const first = m.held[0] ?? 0;
        if (total <= this.limit) {
          if (m.startedAt !== undefined) run = m.startedAt;
          else {
            chunks.push(Buffer.from(m.held));
            run = i;
          }
          this.mode =
            length === 0
              ? { kind: "header", held: [], startedAt: undefined }
              : { kind: "pass", left: length };
          continue;
        }
        if (first >> 4 !== PUBLISH) {
          return this.fail(
            chunks,
            dropped,
            `a ${total}-byte packet of type ${first >> 4} exceeds ${this.limit}`,
          );
        }
        const qos = (first >> 1) & 3;
        run = undefined;
        this.mode = { kind: "skip", left: length, bytes: total, qos, head: [], need: qos > 0 ? 2 : 0 };
        continue;
      }
      if (m.kind === "pass") {
        const n = Math.min(m.left, chunk.length - i);
        if (run === undefined) run = i;
        i += n;
        m.left -= n;
        if (m.left === 0) this.mode = { kind: "header", held: [], startedAt: undefined };
        continue;
      }
      // skip: keep the variable header's first bytes (topic length, topic, packet id), drop the rest
      const n = Math.min(m.left, chunk.length - i);
      for (let k = 0; k < n && m.head.length < m.need; k++) {
        m.head.push(chunk[i + k] ?? 0);
        if (m.head.length === 2 && m.need === 2)
          m.need = 2 + (((m.head[0] ?? 0) << 8) | (m.head[1] ?? 0)) + 2;
      }
      i += n;
      m.left -= n;
      if (m.left === 0) {
        const id =
          m.qos > 0 && m.head.length >= 4 ? ((m.head.at(-2) ?? 0) << 8) | (m.head.at(-1) ?? 0) : undefined;
        dropped.push({ bytes: m.bytes, qos: m.qos, ...(id === undefined ? {} : { packetId: id }) });
        this.mode = { kind: "header", held: [], startedAt: undefined };
      }
    }
    const m = this.mode;
    if (m.kind === "header" && m.held.length > 0) {
      // A header split across chunks: what came before it passes; the header waits for the rest.
      flush(m.startedAt ?? chunk.length);
      m.startedAt = undefined;
    } else {
      flush(chunk.length);
    }
    return { chunks, dropped };
  }

  private fail(chunks: Buffer[], dropped: DroppedPacket[], why: string): FilterOutput {
    this.broken = why;
    return { chunks, dropped, violation: why };
  }
}

function remainingLength(header: readonly number[]): number {
  let value = 0;
  let multiplier = 1;
  for (let k = 1; k < header.length; k++) {
    value += ((header[k] ?? 0) & 0x7f) * multiplier;
    multiplier *= 128;
  }
  return value;
}

/** PUBACK for a dropped QoS 1 publish: the same four bytes in MQTT 3.1.1 and 5 (reason 0 implied). */
export function pubackFor(packetId: number): Buffer {
  return Buffer.from([0x40, 0x02, (packetId >> 8) & 0xff, packetId & 0xff]);
}
