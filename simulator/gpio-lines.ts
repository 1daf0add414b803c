import type { Clock } from "../device/ports/clock.ts";
import type { GpioEdge, GpioInput, GpioOutput } from "../device/ports/gpio.ts";
import { Listeners } from "../device/ports/listeners.ts";

/** A raw input line whose level the simulator sets, as a switch or contact would. */
export class SimInputLine implements GpioInput {
  private readonly listeners = new Listeners<GpioEdge>();

  constructor(
    readonly name: string,
    private level: boolean,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  read(): boolean {
    return this.level;
  }

  onEdge(listener: (edge: GpioEdge) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Drive the line; an unchanged level is not an edge. */
  set(active: boolean): void {
    if (active === this.level) return;
    this.level = active;
    this.listeners.emit({ active, atMs: this.clock.monotonic() });
  }
}

/** An output line that remembers every write, so the simulated relay and tests can follow it. */
export class SimOutputLine implements GpioOutput {
  private readonly listeners = new Listeners<boolean>();
  private level = false;
  writes = 0;

  constructor(readonly name: string) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  write(active: boolean): void {
    this.writes++;
    if (active === this.level) return;
    this.level = active;
    this.listeners.emit(active);
  }

  read(): boolean {
    return this.level;
  }

  onChange(listener: (active: boolean) => void): () => void {
    return this.listeners.add(listener);
  }
}
