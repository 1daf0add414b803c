import type { Logger } from "pino";
import { StationError } from "../config/errors.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { GpioEdge, GpioInput } from "../device/ports/gpio.ts";
import { Listeners } from "../device/ports/listeners.ts";
import type { WiegandEdge } from "../device/wiegand/decoder.ts";
import { encodeCard, encodeKey, KEY_HASH, KEY_STAR, type WiegandLayout } from "../device/wiegand/formats.ts";
import { bitsToEdges, type PulseTiming } from "../device/wiegand/signal.ts";

/**
 * A Wiegand line as the simulated reader drives it: each edge carries its own timestamp, as a
 * kernel would stamp an interrupt, so 50 us pulses survive a 1 ms timer granularity.
 */
export class SimPulseLine implements GpioInput {
  private readonly listeners = new Listeners<GpioEdge>();
  private level = false;

  constructor(readonly name: string) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  read(): boolean {
    return this.level;
  }

  onEdge(listener: (edge: GpioEdge) => void): () => void {
    return this.listeners.add(listener);
  }

  drive(active: boolean, atMs: number): void {
    if (active === this.level) return;
    this.level = active;
    this.listeners.emit({ active, atMs });
  }
}

export interface WiegandSimOptions {
  /** the card format the simulated reader sends */
  readonly layout: WiegandLayout | undefined;
  /** 8-bit keypad bursts (key + complement) rather than 4-bit */
  readonly keypadBits: 4 | 8;
  readonly timing: PulseTiming;
  /** glitches per second on the idle lines (EMI on a long cable); 0 for a clean line */
  readonly noisePerSecond: number;
  readonly random: () => number;
}

export const REALISTIC_TIMING: PulseTiming = { pulseMs: 0.05, intervalMs: 2, jitterMs: 0.15 };

const KEY_GAP_MS = 250;

/**
 * The simulated Wiegand reader or keypad: turns what a person does into edges on D0/D1 with
 * realistic timings (jitter, glitches on the idle lines, and a frame cut short on request).
 * `tap` takes a card spec:
 *   `04A1B2C3`            a card; its UID's low bits fill the format's facility and card fields
 *   `keys:1234#`          keys typed on the keypad, one burst each
 *   `truncated:04A1B2C3`  the same card, but the frame stops part-way (a card pulled away)
 *   `noise`               a burst of line noise and stray bits, no card
 */
export class SimWiegandReader {
  readonly d0: SimPulseLine;
  readonly d1: SimPulseLine;
  private readonly timers = new Set<ReturnType<Clock["setTimeout"]>>();
  private busyUntilMs = 0;
  private noiseTimer: ReturnType<Clock["setTimeout"]> | undefined;
  private running = false;

  constructor(
    readonly readerId: string,
    private readonly opts: WiegandSimOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
    lineNames: readonly [string, string] = ["wiegand-d0", "wiegand-d1"],
  ) {
    this.d0 = new SimPulseLine(lineNames[0]);
    this.d1 = new SimPulseLine(lineNames[1]);
  }

  start(): void {
    this.running = true;
    this.scheduleNoise();
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.clock.clearTimeout(this.noiseTimer);
  }

  tap(spec: string): void {
    const s = spec.trim();
    if (s.toLowerCase() === "noise") {
      this.sendNoiseBurst();
      return;
    }
    if (s.toLowerCase().startsWith("keys:")) {
      this.typeKeys(s.slice(5));
      return;
    }
    const truncated = s.toLowerCase().startsWith("truncated:");
    const bits = this.cardBits(truncated ? s.slice("truncated:".length) : s);
    this.send(truncated ? bits.slice(0, Math.max(4, Math.floor(bits.length * 0.6))) : bits);
  }

  /** Puts a frame on the lines, after anything already being sent. */
  send(bits: string): void {
    const start = Math.max(this.clock.monotonic() + 1, this.busyUntilMs);
    const edges = bitsToEdges(bits, start, this.opts.timing, this.opts.random);
    this.busyUntilMs = start + bits.length * this.opts.timing.intervalMs + 40;
    this.play(edges);
  }

  private cardBits(hex: string): string {
    const layout = this.opts.layout;
    if (!layout) {
      throw new StationError("SIM_BAD_COMMAND", "sim", `reader ${this.readerId} sends no card format`, {
        hint: "it is a keypad: tap keys:1234#",
      });
    }
    const clean = hex.replace(/[\s:-]/g, "");
    if (!/^[0-9a-fA-F]+$/.test(clean) || ![8, 14, 20].includes(clean.length)) {
      throw new StationError("SIM_BAD_COMMAND", "sim", "a card UID is 4, 7 or 10 bytes of hex", {
        hint: "e.g. 04A1B2C3, keys:1234#, truncated:04A1B2C3 or noise",
      });
    }
    // Readers with Wiegand output send the UID's low bits in the format's data fields.
    const cardBits = layout.card.length;
    const facBits = layout.facility?.length ?? 0;
    const uid = BigInt(`0x${clean}`);
    const card = Number(uid & ((1n << BigInt(cardBits)) - 1n));
    const facility = Number((uid >> BigInt(cardBits)) & ((1n << BigInt(facBits)) - 1n));
    return encodeCard(layout, { ...(layout.facility ? { facility } : {}), card });
  }

  private typeKeys(keys: string): void {
    let at = Math.max(this.clock.monotonic() + 1, this.busyUntilMs);
    for (const ch of keys) {
      const key = ch === "*" ? KEY_STAR : ch === "#" ? KEY_HASH : /^[0-9]$/.test(ch) ? Number(ch) : undefined;
      if (key === undefined) {
        throw new StationError("SIM_BAD_COMMAND", "sim", `"${ch}" is not a key`, {
          hint: "keys are 0-9, * and #",
        });
      }
      const bits = encodeKey(key, this.opts.keypadBits);
      this.play(bitsToEdges(bits, at, this.opts.timing, this.opts.random));
      at += bits.length * this.opts.timing.intervalMs + KEY_GAP_MS;
    }
    this.busyUntilMs = at;
  }

  /** A few microsecond spikes and one or two full-width stray pulses: what a long, badly screened cable picks up. */
  private sendNoiseBurst(): void {
    const start = Math.max(this.clock.monotonic() + 1, this.busyUntilMs);
    const edges: WiegandEdge[] = [];
    for (let i = 0; i < 6; i++) edges.push(...this.glitch(start + i * 0.7));
    const stray = 1 + Math.floor(this.opts.random() * 2);
    for (let i = 0; i < stray; i++) {
      const line = this.opts.random() < 0.5 ? 0 : 1;
      const at = start + 5 + i * 2;
      edges.push({ line, active: true, atMs: at }, { line, active: false, atMs: at + 0.05 });
    }
    this.busyUntilMs = start + 50;
    this.play(edges.sort((a, b) => a.atMs - b.atMs));
  }

  private glitch(atMs: number): WiegandEdge[] {
    const line = this.opts.random() < 0.5 ? 0 : 1;
    const width = (0.5 + this.opts.random() * 4) / 1000;
    return [
      { line, active: true, atMs },
      { line, active: false, atMs: atMs + width },
    ];
  }

  private scheduleNoise(): void {
    if (!this.running || this.opts.noisePerSecond <= 0) return;
    const inMs = (-Math.log(1 - this.opts.random()) / this.opts.noisePerSecond) * 1000;
    this.noiseTimer = this.clock.setTimeout(() => {
      this.noiseTimer = undefined;
      const at = this.clock.monotonic();
      // Only on an idle line: noise while a frame is on the wire is the cable's business, and
      // the tests of the decoder cover it.
      if (at > this.busyUntilMs) this.play(this.glitch(at));
      this.scheduleNoise();
    }, inMs);
  }

  /** Emits each pulse (both edges) at its leading edge's time; edges keep their exact timestamps. */
  private play(edges: readonly WiegandEdge[]): void {
    const now = this.clock.monotonic();
    for (let i = 0; i < edges.length; i += 2) {
      const pair = edges.slice(i, i + 2);
      const first = pair[0];
      if (!first) continue;
      const t = this.clock.setTimeout(
        () => {
          this.timers.delete(t);
          for (const e of pair) (e.line === 0 ? this.d0 : this.d1).drive(e.active, e.atMs);
        },
        Math.max(0, first.atMs - now),
      );
      this.timers.add(t);
    }
    this.log.debug({ readerId: this.readerId, edges: edges.length }, "simulated Wiegand reader sends");
  }
}
