import type { ReaderSignal } from "../ports/card-reader.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import type { GpioOutput } from "../ports/gpio.ts";
import { FEEDBACK_PATTERNS } from "./patterns.ts";

export interface FeedbackLines {
  readonly green?: GpioOutput | undefined;
  readonly red?: GpioOutput | undefined;
  readonly beeper?: GpioOutput | undefined;
}

/**
 * Plays a signal's pattern on a reader's LED and beeper lines (Wiegand readers bring them out as
 * wires). A new signal cuts the one playing short: the latest decision is what the person needs.
 */
export class FeedbackPlayer {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly lines: FeedbackLines,
    private readonly clock: Clock,
  ) {}

  play(signal: ReaderSignal): void {
    this.clock.clearTimeout(this.timer);
    const steps = FEEDBACK_PATTERNS[signal];
    const run = (i: number) => {
      const s = steps[i];
      if (!s) {
        this.set(false, false, false);
        this.timer = undefined;
        return;
      }
      this.set(s.green, s.red, s.beep);
      this.timer = this.clock.setTimeout(() => run(i + 1), s.ms);
    };
    run(0);
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.set(false, false, false);
  }

  private set(green: boolean, red: boolean, beep: boolean): void {
    this.lines.green?.write(green);
    this.lines.red?.write(red);
    this.lines.beeper?.write(beep);
  }
}
