import { describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { BurstCollector } from "./burst-collector.ts";

const frame = (atMs: number) => ({ sourceId: "camera", bytes: new Uint8Array([atMs & 255]), atMs });

describe("burst collector", () => {
  it("takes frames at least ~intervalMs apart, skips the ones in between, resolves when full", async () => {
    const clock = new ManualClock();
    const c = new BurstCollector(clock, { frames: 3, intervalMs: 250, timeoutMs: 4000 });
    const p = c.collect(frame(0));
    expect(c.missing()).toBe(2);
    expect(c.offer(frame(100))).toBe("skipped");
    expect(c.offer(frame(210))).toBe("taken");
    expect(c.offer(frame(300))).toBe("skipped");
    expect(c.offer(frame(460))).toBe("taken");
    expect(c.collecting).toBe(false);
    expect((await p).map((f) => f.atMs)).toEqual([210, 460]);
    expect(c.offer(frame(900))).toBe("idle");
  });

  it("a burst the camera does not fill is judged on what it has timeoutMs after arm", async () => {
    const clock = new ManualClock();
    const c = new BurstCollector(clock, { frames: 4, intervalMs: 250, timeoutMs: 1000 });
    const p = c.collect(frame(0));
    c.offer(frame(300));
    // no timer before arm: the first frame's analysis may take seconds
    clock.advance(5000);
    expect(c.collecting).toBe(true);
    c.arm();
    clock.advance(999);
    expect(c.collecting).toBe(true);
    clock.advance(1);
    expect((await p).map((f) => f.atMs)).toEqual([300]);
    expect(c.collecting).toBe(false);
  });

  it("finish ends it at once (nobody in the frame, or the station stopping)", async () => {
    const clock = new ManualClock();
    const c = new BurstCollector(clock, { frames: 4, intervalMs: 250, timeoutMs: 1000 });
    const p = c.collect(frame(0));
    c.finish();
    expect(await p).toEqual([]);
    expect(c.missing()).toBe(0);
  });
});
