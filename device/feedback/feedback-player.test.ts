import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock/manual-clock.ts";
import type { ReaderSignal } from "../ports/card-reader.ts";
import type { GpioOutput } from "../ports/gpio.ts";
import { FeedbackPlayer } from "./feedback-player.ts";
import { FEEDBACK_PATTERNS, patternDuration } from "./patterns.ts";

class Line implements GpioOutput {
  level = false;
  /** [ms, level] each time the level changes */
  trace: [number, boolean][] = [];
  constructor(
    readonly name: string,
    private readonly clock: ManualClock,
  ) {}
  async start() {}
  async stop() {}
  write(v: boolean) {
    if (v !== this.level) this.trace.push([this.clock.monotonic(), v]);
    this.level = v;
  }
  read() {
    return this.level;
  }
}

function play(signal: ReaderSignal) {
  const clock = new ManualClock();
  const green = new Line("green", clock);
  const red = new Line("red", clock);
  const beeper = new Line("beeper", clock);
  new FeedbackPlayer({ green, red, beeper }, clock).play(signal);
  clock.advance(10_000);
  return {
    green: green.trace,
    red: red.trace,
    beeper: beeper.trace,
    end: [green.level, red.level, beeper.level],
  };
}

describe("reader feedback", () => {
  it("grant: green with one short beep", () => {
    expect(play("grant")).toEqual({
      green: [
        [0, true],
        [1500, false],
      ],
      red: [],
      beeper: [
        [0, true],
        [150, false],
      ],
      end: [false, false, false],
    });
  });

  it("deny: three red flashes, three beeps, no green", () => {
    const p = play("deny");
    expect(p.green).toEqual([]);
    expect(p.red.filter(([, v]) => v)).toHaveLength(3);
    expect(p.beeper.filter(([, v]) => v)).toHaveLength(3);
    expect(p.end).toEqual([false, false, false]);
  });

  it("every signal looks different from every other", () => {
    const signals = Object.keys(FEEDBACK_PATTERNS) as ReaderSignal[];
    const shapes = signals.map((s) => JSON.stringify(play(s)));
    expect(new Set(shapes).size).toBe(signals.length);
    for (const s of signals) expect(patternDuration(s)).toBeLessThanOrEqual(3000);
  });

  it("a new signal cuts the one playing short", () => {
    const clock = new ManualClock();
    const green = new Line("green", clock);
    const red = new Line("red", clock);
    const player = new FeedbackPlayer({ green, red }, clock);
    player.play("grant");
    clock.advance(100);
    player.play("deny");
    expect(green.level).toBe(false);
    expect(red.level).toBe(true);
    clock.advance(10_000);
    expect(clock.pendingTimers()).toBe(0);
  });
});
