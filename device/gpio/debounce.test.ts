import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock/manual-clock.ts";
import type { Clock } from "../ports/clock.ts";
import type { GpioEdge, GpioInput } from "../ports/gpio.ts";
import { Listeners } from "../ports/listeners.ts";
import { DebouncedInput } from "./debounce.ts";

/** A bare raw line: what onoff would report, bounces and all. */
class RawLine implements GpioInput {
  readonly name = "contact";
  private readonly edges = new Listeners<GpioEdge>();
  private level = false;
  constructor(private readonly clock: Clock) {}
  async start() {}
  async stop() {}
  read() {
    return this.level;
  }
  onEdge(l: (e: GpioEdge) => void) {
    return this.edges.add(l);
  }
  set(active: boolean) {
    this.level = active;
    this.edges.emit({ active, atMs: this.clock.monotonic() });
  }
}

async function setup(ms: number) {
  const clock = new ManualClock();
  const raw = new RawLine(clock);
  const input = new DebouncedInput(raw, ms, clock);
  const edges: GpioEdge[] = [];
  input.onEdge((e) => edges.push(e));
  await input.start();
  return { clock, raw, input, edges };
}

describe("debounced GPIO input", () => {
  it("reports one edge for a bouncing contact, once it has settled", async () => {
    const { clock, raw, edges, input } = await setup(20);
    raw.set(true);
    clock.advance(2);
    raw.set(false);
    clock.advance(3);
    raw.set(true);
    clock.advance(19);
    expect(edges).toEqual([]);
    clock.advance(1);
    expect(edges).toEqual([{ active: true, atMs: 25 }]);
    expect(input.read()).toBe(true);
  });

  it("ignores a glitch shorter than the debounce time", async () => {
    const { clock, raw, edges } = await setup(20);
    raw.set(true);
    clock.advance(5);
    raw.set(false);
    clock.advance(50);
    expect(edges).toEqual([]);
  });

  it("passes edges straight through with 0 ms", async () => {
    const { raw, edges } = await setup(0);
    raw.set(true);
    raw.set(false);
    expect(edges.map((e) => e.active)).toEqual([true, false]);
  });

  it("stops reporting after stop()", async () => {
    const { clock, raw, edges, input } = await setup(10);
    raw.set(true);
    await input.stop();
    clock.advance(100);
    expect(edges).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });
});
