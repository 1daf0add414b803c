import type { Logger } from "pino";
import { StationError } from "../../config/errors.ts";
import type { WiegandReaderConfig } from "../../config/sections/readers.ts";
import { type FeedbackLines, FeedbackPlayer } from "../feedback/feedback-player.ts";
import type { IdentifierHasher } from "../identity/hasher.ts";
import type { ReaderSignal } from "../ports/card-reader.ts";
import { CardReaderBase } from "../ports/card-reader-base.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import type { GpioInput } from "../ports/gpio.ts";
import {
  type DecodeResult,
  type DecoderOptions,
  type DecoderState,
  feed,
  frameDeadline,
  initialDecoderState,
  tick,
  type WiegandLine,
} from "./decoder.ts";
import { BUILTIN_LAYOUTS, layoutFromConfig, type WiegandLayout } from "./formats.ts";
import { initialPinEntry, type PinEntryState, pressKey } from "./pin-entry.ts";

/** A line held low this long is a wiring fault (a short, a reader without power), not a pulse. */
export const STUCK_LINE_MS = 1000;

export function decoderOptionsFromConfig(c: WiegandReaderConfig): DecoderOptions {
  const layouts: WiegandLayout[] = [];
  for (const f of c.formats) {
    const l = BUILTIN_LAYOUTS[f];
    if (l) layouts.push(l);
  }
  layouts.push(...c.customFormats.map(layoutFromConfig));
  return {
    layouts,
    keypad4: c.formats.includes("keypad-4"),
    keypad8: c.formats.includes("keypad-8"),
    frameTimeoutMs: c.frameTimeoutMs,
    minPulseMs: c.minPulseUs / 1000,
    maxPulseMs: c.maxPulseUs / 1000,
    minIntervalMs: 0.15,
  };
}

export interface WiegandCounters {
  cards: number;
  pins: number;
  rejected: number;
  noise: number;
  glitches: number;
}

/**
 * A Wiegand reader or keypad on two GPIO inputs. The lines must reach this driver undebounced
 * (a 50 us pulse is shorter than any debounce): the decoder does its own glitch rejection on
 * the edge timestamps. Wiegand is one-way, so "online" only means the lines look sane.
 */
export class WiegandReader extends CardReaderBase {
  private readonly unsubscribers: (() => void)[] = [];
  private state: DecoderState = initialDecoderState;
  private pin: PinEntryState = initialPinEntry;
  private frameTimer: TimerHandle | undefined;
  private readonly stuckTimers: (TimerHandle | undefined)[] = [undefined, undefined];
  private readonly stuck = [false, false];
  private running = false;
  readonly counters: WiegandCounters = { cards: 0, pins: 0, rejected: 0, noise: 0, glitches: 0 };

  private readonly feedback: FeedbackPlayer | undefined;

  constructor(
    id: string,
    private readonly lines: { readonly d0: GpioInput; readonly d1: GpioInput },
    private readonly opts: DecoderOptions & { readonly pinTimeoutMs: number },
    private readonly hasher: IdentifierHasher,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** the reader's LED and beeper control wires, when they are connected */
    private readonly feedbackLines: FeedbackLines = {},
  ) {
    super(id);
    this.feedback =
      feedbackLines.green || feedbackLines.beeper ? new FeedbackPlayer(feedbackLines, clock) : undefined;
  }

  async start(): Promise<void> {
    await this.feedbackLines.green?.start();
    await this.feedbackLines.beeper?.start();
    await this.lines.d0.start();
    await this.lines.d1.start();
    this.running = true;
    this.unsubscribers.push(
      this.lines.d0.onEdge((e) => this.onEdge(0, e.active, e.atMs)),
      this.lines.d1.onEdge((e) => this.onEdge(1, e.active, e.atMs)),
    );
    this.statuses.emit({
      type: "online",
      readerId: this.id,
      detail: `Wiegand on ${this.lines.d0.name}/${this.lines.d1.name} (one-way: presence cannot be checked)`,
    });
    for (const line of [0, 1] as const)
      if (this.line(line).read()) this.onEdge(line, true, this.clock.monotonic());
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unsubscribers.splice(0)) u();
    this.clock.clearTimeout(this.frameTimer);
    for (const t of this.stuckTimers) this.clock.clearTimeout(t);
    this.frameTimer = undefined;
    this.stuckTimers.fill(undefined);
    this.state = initialDecoderState;
    this.pin = initialPinEntry;
    this.feedback?.stop();
    await this.lines.d0.stop();
    await this.lines.d1.stop();
    await this.feedbackLines.green?.stop();
    await this.feedbackLines.beeper?.stop();
  }

  protected override show(signal: ReaderSignal): void {
    if (this.running) this.feedback?.play(signal);
  }

  private line(line: WiegandLine): GpioInput {
    return line === 0 ? this.lines.d0 : this.lines.d1;
  }

  private onEdge(line: WiegandLine, active: boolean, atMs: number): void {
    if (!this.running) return;
    this.watchStuck(line, active);
    const step = feed(this.state, { line, active, atMs }, this.opts);
    this.state = step.state;
    this.handle(step.out);
    this.armFrameTimer();
  }

  private armFrameTimer(): void {
    this.clock.clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
    const deadline = frameDeadline(this.state, this.opts);
    if (deadline === undefined) return;
    this.frameTimer = this.clock.setTimeout(
      () => {
        this.frameTimer = undefined;
        const step = tick(this.state, Math.max(this.clock.monotonic(), deadline), this.opts);
        this.state = step.state;
        this.handle(step.out);
        this.armFrameTimer();
      },
      Math.max(0, deadline - this.clock.monotonic()),
    );
  }

  private handle(out: readonly DecodeResult[]): void {
    this.counters.glitches = this.state.glitches;
    for (const r of out) {
      if (r.type === "card") {
        this.counters.cards++;
        this.emitRead("wiegand", r.value.identifier, r.value.format, r.atMs);
      } else if (r.type === "key") {
        const step = pressKey(this.pin, r.key, r.atMs, this.opts.pinTimeoutMs);
        this.pin = step.state;
        // Which key was pressed stays out of the log: the keys of a PIN are the PIN.
        this.log.debug({ readerId: this.id, bits: r.bits, dropped: step.dropped }, "keypad key");
        if (step.submitted !== undefined) {
          this.counters.pins++;
          const digits = step.submitted;
          this.emitRead("keypad", new TextEncoder().encode(digits), `pin-${digits.length}`, r.atMs);
        }
      } else if (r.type === "rejected") {
        this.counters.rejected++;
        const err = new StationError(
          "READER_BAD_FRAME",
          "reader",
          `Wiegand frame of ${r.bits} bits refused`,
          {
            reason: r.reason,
          },
        );
        this.log.warn(
          { readerId: this.id, err, reason: r.reason, rejected: this.counters.rejected },
          err.message,
        );
        this.statuses.emit({
          type: "unsupported-card",
          readerId: this.id,
          detail: `Wiegand frame of ${r.bits} bits refused: ${r.reason}`,
        });
      } else {
        this.counters.noise++;
        this.log.debug({ readerId: this.id, bits: r.bits, noise: this.counters.noise }, "Wiegand line noise");
      }
    }
  }

  private emitRead(kind: "wiegand" | "keypad", raw: Uint8Array, format: string, atMs: number): void {
    this.reads.emit({ readerId: this.id, kind, credential: this.hasher(kind, raw), format, atMs });
  }

  /** A line low for longer than any pulse means the wiring, not a card: report the reader offline. */
  private watchStuck(line: WiegandLine, active: boolean): void {
    this.clock.clearTimeout(this.stuckTimers[line]);
    this.stuckTimers[line] = undefined;
    const name = this.line(line).name;
    if (active) {
      this.stuckTimers[line] = this.clock.setTimeout(() => {
        this.stuckTimers[line] = undefined;
        this.stuck[line] = true;
        this.log.warn({ readerId: this.id, line: name }, "Wiegand line held low: reader offline");
        this.statuses.emit({
          type: "offline",
          readerId: this.id,
          detail: `${name} held low for over ${STUCK_LINE_MS} ms: a short to ground, or the reader lost power`,
        });
      }, STUCK_LINE_MS);
    } else if (this.stuck[line]) {
      this.stuck[line] = false;
      if (!this.stuck[0] && !this.stuck[1]) {
        this.statuses.emit({ type: "online", readerId: this.id, detail: `${name} released` });
      }
    }
  }
}
