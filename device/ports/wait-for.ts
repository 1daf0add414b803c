import type { Clock } from "./clock.ts";

type Subscribe<T> = (listener: (value: T) => void) => () => void;
type Timers = Pick<Clock, "setTimeout" | "clearTimeout">;

/**
 * The first value `subscribe` delivers that `pick` makes something of, or undefined once `ms`
 * have passed on `clock` (the injected one, so tests drive it).
 */
export function nextValue<T, R>(
  subscribe: Subscribe<T>,
  clock: Timers,
  ms: number,
  pick: (value: T) => R | undefined,
): Promise<R | undefined> {
  return new Promise((done) => {
    const timer = clock.setTimeout(() => {
      off();
      done(undefined);
    }, ms);
    const off = subscribe((value) => {
      const got = pick(value);
      if (got === undefined) return;
      clock.clearTimeout(timer);
      off();
      done(got);
    });
  });
}

/** True as soon as `holds()` is true — now, or after a notification — false after `ms`. */
export async function until(
  subscribe: (listener: () => void) => () => void,
  clock: Timers,
  ms: number,
  holds: () => boolean,
): Promise<boolean> {
  if (holds()) return true;
  return (await nextValue<void, true>(subscribe, clock, ms, () => (holds() ? true : undefined))) === true;
}
