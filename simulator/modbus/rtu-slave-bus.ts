import { isStationError } from "../../config/errors.ts";
import {
  charMs,
  decodeRequest,
  encodeResponse,
  interFrameMs,
  type ModbusRequest,
  type ModbusResponse,
  requestLength,
} from "../../device/modbus/rtu-codec.ts";
import type { ByteLink } from "../../device/ports/byte-link.ts";
import type { Clock } from "../../device/ports/clock.ts";

/** What a simulated slave does with a request addressed to it. */
export type SlaveReply =
  | { readonly kind: "answer"; readonly response: ModbusResponse }
  /** bytes as they go on the wire: a corrupted frame, garbage */
  | { readonly kind: "raw"; readonly bytes: Uint8Array }
  | { readonly kind: "silent" };

export interface SimSlave {
  readonly unit: number;
  handle(req: ModbusRequest): SlaveReply;
}

export interface SimBusOptions {
  baud: number;
  /** the slave's think time between the request's last byte and its answer's first */
  turnaroundMs: number;
  /** pace bytes at the baud rate (a pty or a memory link has no wire time of its own) */
  pace: boolean;
}

/**
 * The slave side of one RS-485 line: every simulated device on it shares the wire, answers only
 * to its own address, and nobody answers a broadcast. The wire's time is modelled here: the
 * request's own transmission, the turnaround, then the answer byte by byte at the baud rate.
 */
export class SimRtuBus {
  private readonly slaves = new Map<number, SimSlave>();
  private buf = new Uint8Array(0);
  private lastRxMs = 0;
  private busyUntil = 0;
  private unsubscribe: (() => void) | undefined;
  readonly counters = { requests: 0, crcErrors: 0, badFrames: 0, answered: 0 };

  constructor(
    private readonly link: ByteLink,
    private readonly clock: Clock,
    private readonly opts: SimBusOptions,
  ) {}

  attach(slave: SimSlave): () => void {
    this.slaves.set(slave.unit, slave);
    return () => this.slaves.delete(slave.unit);
  }

  async start(): Promise<void> {
    this.unsubscribe = this.link.onData((chunk) => this.onData(chunk));
    if (!this.link.isOpen) await this.link.open();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.link.close();
  }

  private onData(chunk: Uint8Array): void {
    const now = this.clock.monotonic();
    // A silence of several characters ends whatever half frame came before (noise, a reset master).
    if (this.opts.pace && now - this.lastRxMs > 20 * charMs(this.opts.baud)) this.buf = new Uint8Array(0);
    this.lastRxMs = now;
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    this.buf = merged;
    for (;;) {
      let len: number | undefined;
      try {
        len = requestLength(this.buf);
      } catch {
        this.counters.badFrames++;
        this.buf = new Uint8Array(0);
        return;
      }
      if (len === undefined || this.buf.length < len) return;
      const frame = this.buf.slice(0, len);
      this.buf = this.buf.slice(len);
      this.onFrame(frame, now);
    }
  }

  private onFrame(frame: Uint8Array, rxMs: number): void {
    let req: ModbusRequest;
    try {
      req = decodeRequest(frame);
    } catch (err) {
      if (isStationError(err, "MODBUS_CRC")) this.counters.crcErrors++;
      else this.counters.badFrames++;
      return; // a real slave stays silent on a bad frame; the master times out
    }
    this.counters.requests++;
    const slave =
      this.slaves.get(req.unit) ??
      (req.unit === 0xf8 && this.slaves.size === 1 ? [...this.slaves.values()][0] : undefined);
    if (req.unit === 0) {
      for (const s of this.slaves.values()) s.handle(req); // broadcast: everyone acts, nobody answers
      return;
    }
    if (!slave) return;
    const reply = slave.handle(req);
    if (reply.kind === "silent") return;
    const bytes = reply.kind === "raw" ? reply.bytes : encodeResponse({ ...reply.response, unit: req.unit });
    this.counters.answered++;
    this.send(bytes, rxMs + this.requestWireMs(frame.length));
  }

  private requestWireMs(bytes: number): number {
    return this.opts.pace ? bytes * charMs(this.opts.baud) : 0;
  }

  private send(bytes: Uint8Array, requestEndMs: number): void {
    if (!this.opts.pace) {
      void this.link.write(bytes).catch(() => undefined);
      return;
    }
    const char = charMs(this.opts.baud);
    // A slave knows the request has ended only after 3.5 characters of silence: it cannot answer sooner.
    const start = Math.max(
      requestEndMs + Math.max(this.opts.turnaroundMs, interFrameMs(this.opts.baud)),
      this.busyUntil,
    );
    this.busyUntil = start + bytes.length * char;
    let sent = 0;
    const tick = () => {
      const now = this.clock.monotonic();
      const due = Math.min(bytes.length, Math.floor((now - start) / char + 1e-9));
      if (due > sent) {
        void this.link.write(bytes.subarray(sent, due)).catch(() => undefined);
        sent = due;
      }
      if (sent < bytes.length) this.clock.setTimeout(tick, Math.max(1, start + (sent + 1) * char - now));
    };
    this.clock.setTimeout(tick, Math.max(0, start + char - this.clock.monotonic()));
  }
}
