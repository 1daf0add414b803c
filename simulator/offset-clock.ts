import type { Clock, TimerHandle } from "../device/ports/clock.ts";

/**
 * The system clock with a wall time a scenario can set, as an NTP step or a wrong RTC would:
 * timers and monotonic time run on unchanged.
 */
export class OffsetClock implements Clock {
  private offset = 0;

  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now() + this.offset;
  }

  monotonic(): number {
    return this.base.monotonic();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.base.setTimeout(fn, ms);
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    this.base.clearTimeout(handle);
  }

  setWallTime(epochMs: number): void {
    this.offset = epochMs - this.base.now();
  }
}
