/**
 * Reconnect timing. "Full jitter": attempt n waits a uniformly random time in
 * [0, min(cap, base * 2^n)], so a fleet that lost its broker at the same instant comes back
 * spread over the whole window instead of in synchronised waves.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 40));
  return Math.floor(random() * ceiling);
}

export interface ReconnectPlan {
  /** which broker URL to try next */
  urlIndex: number;
  /** failed attempts since the last successful connection */
  failures: number;
}

/**
 * After a failed attempt: try the next broker of the list; the exponent grows once per full
 * round of the list, so failing over to a healthy broker is quick and a dead cluster is not
 * hammered.
 */
export function afterFailure(
  plan: ReconnectPlan,
  urlCount: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): { plan: ReconnectPlan; delayMs: number } {
  const failures = plan.failures + 1;
  const n = Math.max(1, urlCount);
  return {
    plan: { urlIndex: (plan.urlIndex + 1) % n, failures },
    delayMs: fullJitterDelay(Math.floor((failures - 1) / n), baseMs, capMs, random),
  };
}

/** After losing a working connection: the same broker first, after a jittered base delay. */
export function afterDisconnect(
  plan: ReconnectPlan,
  baseMs: number,
  capMs: number,
  random: () => number,
): { plan: ReconnectPlan; delayMs: number } {
  return {
    plan: { urlIndex: plan.urlIndex, failures: 0 },
    delayMs: fullJitterDelay(0, baseMs, capMs, random),
  };
}
