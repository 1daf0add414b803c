import type { Clock, TimerHandle } from "../ports/clock.ts";
import type { GpioInput } from "../ports/gpio.ts";
import { Listeners } from "../ports/listeners.ts";
import type { CounterHealth, PassageCounter } from "../ports/passage-counter.ts";
import { BEAM_IDLE, type BeamInput, type BeamPairState, type BeamResult, beamStep } from "./beam-pair.ts";

export interface BeamCounterOptions {
  readonly passageTimeoutMs: number;
  /** a beam broken this long is suspect (nobody stands in a doorway that long) */
  readonly blockedMs: number;
}

/** The beam pair machine over two GPIO inputs (active = beam broken), with its timeouts. */
export class BeamCounter implements PassageCounter {
  private state: BeamPairState = BEAM_IDLE;
  private readonly passagesAt = new Listeners<{ result: BeamResult; atMs: number }>();
  private readonly healths = new Listeners<{ health: CounterHealth; detail?: string | undefined }>();
  private current: { health: CounterHealth; detail?: string | undefined } = { health: "good" };
  private timer: TimerHandle | undefined;
  private readonly unsubs: (() => void)[] = [];

  constructor(
    private readonly outer: GpioInput,
    private readonly inner: GpioInput,
    private readonly clock: Clock,
    private readonly opts: BeamCounterOptions,
  ) {}

  async start(): Promise<void> {
    await this.outer.start();
    await this.inner.start();
    this.unsubs.push(
      this.outer.onEdge((e) => this.feed({ type: "edge", beam: "a", active: e.active, atMs: e.atMs })),
      this.inner.onEdge((e) => this.feed({ type: "edge", beam: "b", active: e.active, atMs: e.atMs })),
    );
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.timer);
    for (const u of this.unsubs.splice(0)) u();
    await this.outer.stop();
    await this.inner.stop();
  }

  onPassage(listener: (result: BeamResult, atMs: number) => void): () => void {
    return this.passagesAt.add(({ result, atMs }) => listener(result, atMs));
  }

  health() {
    return this.current;
  }

  beams() {
    return { outer: this.outer.read(), inner: this.inner.read() };
  }

  onHealth(listener: (h: { health: CounterHealth; detail?: string | undefined }) => void): () => void {
    return this.healths.add(listener);
  }

  private feed(input: BeamInput): void {
    const r = beamStep(this.state, input, this.opts);
    this.state = r.state;
    for (const result of r.results) {
      this.passagesAt.emit({ result, atMs: input.atMs });
    }
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (r.state.a || r.state.b) {
      // Wake up for the passage timeout, then once more for the blocked-beam check.
      const started = r.state.startedMs ?? input.atMs;
      const due = r.state.timedOut ? started + this.opts.blockedMs : started + this.opts.passageTimeoutMs;
      if (this.current.health === "good") {
        this.timer = this.clock.setTimeout(() => this.onTimer(), Math.max(1, due - this.clock.monotonic()));
      }
    } else if (this.current.health !== "good") {
      this.setHealth({ health: "good" });
    }
  }

  private onTimer(): void {
    const now = this.clock.monotonic();
    this.feed({ type: "tick", atMs: now });
    const started = this.state.startedMs;
    if (started !== undefined && now - started >= this.opts.blockedMs && this.current.health === "good") {
      const which = [this.state.a ? "outer" : "", this.state.b ? "inner" : ""].filter(Boolean).join(" and ");
      this.setHealth({
        health: "suspect",
        detail: `${which} beam broken for ${Math.round((now - started) / 1000)} s`,
      });
    }
  }

  private setHealth(h: { health: CounterHealth; detail?: string | undefined }): void {
    this.current = h;
    this.healths.emit(h);
  }
}
