import type { Clock, TimerHandle } from "../ports/clock.ts";
import type { GpioEdge, GpioInput } from "../ports/gpio.ts";
import { Listeners } from "../ports/listeners.ts";

/**
 * Settle-time debounce shared by the real and the simulated lines: after a raw edge, wait until
 * the line has been quiet for `ms`, then report the level if it differs from the last one.
 */
export class DebouncedInput implements GpioInput {
  private readonly listeners = new Listeners<GpioEdge>();
  private stable = false;
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly raw: GpioInput,
    private readonly ms: number,
    private readonly clock: Clock,
  ) {}

  get name(): string {
    return this.raw.name;
  }

  async start(): Promise<void> {
    await this.raw.start();
    this.stable = this.raw.read();
    this.unsubscribe = this.raw.onEdge((edge) => this.onRaw(edge));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.raw.stop();
  }

  read(): boolean {
    return this.stable;
  }

  onEdge(listener: (edge: GpioEdge) => void): () => void {
    return this.listeners.add(listener);
  }

  private onRaw(edge: GpioEdge): void {
    if (this.ms === 0) {
      this.settle(edge.active);
      return;
    }
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.settle(this.raw.read());
    }, this.ms);
  }

  private settle(level: boolean): void {
    if (level === this.stable) return;
    this.stable = level;
    this.listeners.emit({ active: level, atMs: this.clock.monotonic() });
  }
}
