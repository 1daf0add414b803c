import type { Clock, TimerHandle } from "../ports/clock.ts";

interface Pending {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to. Tests and simulator scenarios use it to jump time,
 * set the wall clock independently of the monotonic one, and fire timers deterministically.
 */
export class ManualClock implements Clock {
  private mono = 0;
  private wallOffset: number;
  private pending: Pending[] = [];
  private nextId = 1;

  constructor(wallStart = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    this.wallOffset = wallStart;
  }

  now(): number {
    return this.wallOffset + this.mono;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, due: this.mono + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.pending = this.pending.filter((p) => p.id !== handle.id);
  }

  /** Set the wall clock (an NTP step or a wrong RTC); monotonic time and timers are unaffected. */
  setWallTime(epochMs: number): void {
    this.wallOffset = epochMs - this.mono;
  }

  /** Move time forward, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.mono + Math.max(0, ms);
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) if (p.due <= target && (!next || p.due < next.due)) next = p;
      if (!next) break;
      const fire = next;
      this.pending = this.pending.filter((p) => p !== fire);
      this.mono = Math.max(this.mono, fire.due);
      fire.fn();
    }
    this.mono = target;
  }

  pendingTimers(): number {
    return this.pending.length;
  }
}
