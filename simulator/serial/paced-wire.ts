import type { Clock, TimerHandle } from "../../device/ports/clock.ts";

/** One character on a UART with 8 data bits, no parity, one stop bit: 10 bit times. */
export const uartCharMs = (baud: number) => 10_000 / baud;

/**
 * The transmit side of a simulated UART: bytes leave at the line's rate, one character time
 * each, in the order they were sent, and reach the far end as they complete (a pty or an
 * in-process link would otherwise deliver a whole frame at once, faster than any real module).
 * Timers are at best 1 ms apart, so at 256000 baud a frame arrives in pieces of ~26 bytes, as
 * the driver sees them from a real USB-UART.
 */
export class PacedWire {
  private pending: Uint8Array = new Uint8Array(0);
  /** when the first pending byte started on the line */
  private startMs = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly out: (bytes: Uint8Array) => void,
    private readonly clock: Clock,
    private readonly charMs: number,
  ) {}

  /** bytes still on (or waiting for) the line */
  get queued(): number {
    return this.pending.length;
  }

  send(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.pending.length === 0) this.startMs = this.clock.monotonic();
    const next = new Uint8Array(this.pending.length + bytes.length);
    next.set(this.pending);
    next.set(bytes, this.pending.length);
    this.pending = next;
    this.timer ??= this.clock.setTimeout(() => this.drain(), this.untilNextByte());
  }

  /** The cable is out: what was on the line is lost. */
  clear(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = new Uint8Array(0);
  }

  private untilNextByte(): number {
    return Math.max(1, this.startMs + this.charMs - this.clock.monotonic());
  }

  private drain(): void {
    this.timer = undefined;
    const done = Math.min(
      this.pending.length,
      Math.floor((this.clock.monotonic() - this.startMs) / this.charMs + 1e-9),
    );
    if (done > 0) {
      const bytes = this.pending.subarray(0, done);
      this.pending = this.pending.slice(done);
      this.startMs += done * this.charMs;
      this.out(bytes);
    }
    if (this.pending.length > 0) this.timer = this.clock.setTimeout(() => this.drain(), this.untilNextByte());
  }
}
