import { describe, expect, it } from "vitest";
import { BeamCounter } from "../../device/beam/beam-counter.ts";
import type { BeamResult } from "../../device/beam/beam-pair.ts";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { DebouncedInput } from "../../device/gpio/debounce.ts";
import { SimDoorway } from "./doorway-sim.ts";

/** The beam counter over debounced lines, driven by simulated people. */
async function rig() {
  const clock = new ManualClock();
  const door = new SimDoorway(clock);
  const counter = new BeamCounter(
    new DebouncedInput(door.outer, 20, clock),
    new DebouncedInput(door.inner, 20, clock),
    clock,
    { passageTimeoutMs: 4000, blockedMs: 30_000 },
  );
  const results: BeamResult[] = [];
  counter.onPassage((r) => results.push(r));
  await counter.start();
  return { clock, door, counter, results };
}

describe("beam counter with simulated people", () => {
  it.each([
    { what: "one in", dir: "in" as const, people: 1, gapMs: 1000, expected: ["in"] },
    { what: "one out", dir: "out" as const, people: 1, gapMs: 1000, expected: ["out"] },
    {
      what: "three in, well apart",
      dir: "in" as const,
      people: 3,
      gapMs: 1000,
      expected: ["in", "in", "in"],
    },
    { what: "two in close together", dir: "in" as const, people: 2, gapMs: 300, expected: ["in", "in"] },
    { what: "two out close together", dir: "out" as const, people: 2, gapMs: 300, expected: ["out", "out"] },
  ])("$what", async ({ dir, people, gapMs, expected }) => {
    const { clock, door, results } = await rig();
    door.walk(dir, people, { gapMs });
    clock.advance(10_000);
    expect(results).toEqual(expected);
  });

  it("a blocked beam is confused after the passage timeout, then suspect; clearing it makes it good", async () => {
    const { clock, door, counter, results } = await rig();
    door.blockOuter();
    clock.advance(5000);
    expect(results).toEqual(["confused"]);
    expect(counter.health().health).toBe("good");
    clock.advance(30_000);
    expect(counter.health()).toMatchObject({ health: "suspect", detail: expect.stringContaining("outer") });
    door.clearBeams();
    clock.advance(100);
    expect(counter.health().health).toBe("good");
    expect(results).toEqual(["confused"]);
  });

  it("the PIR fires with each person and releases after its hold time", async () => {
    const { clock, door } = await rig();
    door.walk("in");
    clock.advance(500);
    expect(door.pir.read()).toBe(true);
    clock.advance(4000);
    expect(door.pir.read()).toBe(false);
  });
});
