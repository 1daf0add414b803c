/**
 * Time is a port like any other: the controller never calls Date.now() or setTimeout directly,
 * so tests and simulator scenarios can drive it.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** wall-clock time, epoch milliseconds (may jump when the time is set) */
  now(): number;
  /** monotonic milliseconds for durations and timers; never jumps */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}
