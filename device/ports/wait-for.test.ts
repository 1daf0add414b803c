import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock/manual-clock.ts";
import { Listeners } from "./listeners.ts";
import { nextValue, until } from "./wait-for.ts";

describe("nextValue and until", () => {
  it("nextValue: the first value picked, skipping the rest, and it stops listening", async () => {
    const clock = new ManualClock();
    const l = new Listeners<number>();
    const got = nextValue(l.add.bind(l), clock, 1000, (n) => (n > 2 ? n * 10 : undefined));
    l.emit(1);
    l.emit(3);
    l.emit(4);
    await expect(got).resolves.toBe(30);
    expect(l.size).toBe(0);
  });

  it("nextValue: undefined once the time is up on the injected clock, and it stops listening", async () => {
    const clock = new ManualClock();
    const l = new Listeners<number>();
    const got = nextValue(l.add.bind(l), clock, 1000, (n) => n);
    clock.advance(999);
    l.emit(Number.NaN);
    clock.advance(1);
    await expect(got).resolves.toBeNaN();
    const late = nextValue(l.add.bind(l), clock, 1000, () => undefined);
    clock.advance(1000);
    await expect(late).resolves.toBeUndefined();
    expect(l.size).toBe(0);
  });

  it("until: true at once when it already holds, after a change when it comes to, false after the time", async () => {
    const clock = new ManualClock();
    const l = new Listeners<void>();
    let v = 0;
    await expect(until(l.add.bind(l), clock, 10, () => true)).resolves.toBe(true);
    const later = until(l.add.bind(l), clock, 1000, () => v === 2);
    v = 1;
    l.emit();
    v = 2;
    l.emit();
    await expect(later).resolves.toBe(true);
    const never = until(l.add.bind(l), clock, 1000, () => false);
    clock.advance(1000);
    await expect(never).resolves.toBe(false);
  });
});
