import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { afterDisconnect, afterFailure, fullJitterDelay, type ReconnectPlan } from "./backoff.ts";

describe("full-jitter backoff", () => {
  it.each([
    { attempt: 0, random: 0.999999, max: 999 },
    { attempt: 1, random: 0.999999, max: 1999 },
    { attempt: 3, random: 0.5, max: 4000 },
    { attempt: 10, random: 0.999999, max: 29_999 },
    { attempt: 1000, random: 0.999999, max: 29_999 },
  ])("attempt $attempt with random $random waits at most $max ms", ({ attempt, random, max }) => {
    const d = fullJitterDelay(attempt, 1000, 30_000, () => random);
    expect(d).toBeLessThanOrEqual(max);
    expect(d).toBeGreaterThan(max / 2 - 1);
  });

  it("never waits less than 0 or more than the cap, and can wait 0 (the window starts at now)", () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (n, base, cap, r) => {
          const d = fullJitterDelay(n, base, cap, () => r);
          return d >= 0 && d <= cap && Number.isInteger(d);
        },
      ),
    );
    expect(fullJitterDelay(5, 1000, 30_000, () => 0)).toBe(0);
  });

  it("spreads a fleet: 10,000 stations reconnecting at attempt 4 fill the window evenly", () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(fullJitterDelay(4, 1000, 60_000, random) / 1600)]++;
    for (const b of buckets) expect(b).toBeGreaterThan(850);
  });
});

describe("failover across broker URLs", () => {
  const rows: { from: ReconnectPlan; urls: number; next: ReconnectPlan; ceiling: number }[] = [
    { from: { urlIndex: 0, failures: 0 }, urls: 1, next: { urlIndex: 0, failures: 1 }, ceiling: 100 },
    { from: { urlIndex: 0, failures: 1 }, urls: 1, next: { urlIndex: 0, failures: 2 }, ceiling: 200 },
    { from: { urlIndex: 0, failures: 0 }, urls: 3, next: { urlIndex: 1, failures: 1 }, ceiling: 100 },
    { from: { urlIndex: 1, failures: 1 }, urls: 3, next: { urlIndex: 2, failures: 2 }, ceiling: 100 },
    { from: { urlIndex: 2, failures: 2 }, urls: 3, next: { urlIndex: 0, failures: 3 }, ceiling: 100 },
    { from: { urlIndex: 0, failures: 3 }, urls: 3, next: { urlIndex: 1, failures: 4 }, ceiling: 200 },
    { from: { urlIndex: 1, failures: 30 }, urls: 2, next: { urlIndex: 0, failures: 31 }, ceiling: 5000 },
  ];
  it.each(rows)(
    "$from with $urls URL(s) -> $next, waiting under $ceiling ms",
    ({ from, urls, next, ceiling }) => {
      const top = afterFailure(from, urls, 100, 5000, () => 0.9999999);
      expect(top.plan).toEqual(next);
      expect(top.delayMs).toBe(ceiling - 1);
    },
  );

  it("a lost connection goes back to the same broker first, within the base window", () => {
    const r = afterDisconnect({ urlIndex: 2, failures: 0 }, 100, 5000, () => 0.5);
    expect(r).toEqual({ plan: { urlIndex: 2, failures: 0 }, delayMs: 50 });
  });
});
