/**
 * Reader lockout (GB 50396: an alarm after at most 5 consecutive failed reads) as a pure
 * transition per reader: count consecutive refusals, lock out for a cool-down at the threshold.
 */
export interface LockoutState {
  readonly failures: number;
  /** monotonic ms the lockout ends; undefined when not locked out */
  readonly until: number | undefined;
}

export interface LockoutSettings {
  readonly threshold: number;
  readonly cooldownMs: number;
}

export const NO_LOCKOUT: LockoutState = { failures: 0, until: undefined };

export type LockoutOutcome = "none" | "locked-out" | "cleared";

export function isLockedOut(s: LockoutState, nowMs: number): boolean {
  return s.until !== undefined && nowMs < s.until;
}

/** After a decision: `counts` says whether it was a refusal that counts, `granted` resets. */
export function afterDecision(
  s: LockoutState,
  d: { granted: boolean; counts: boolean },
  nowMs: number,
  cfg: LockoutSettings,
): { state: LockoutState; outcome: LockoutOutcome } {
  if (isLockedOut(s, nowMs)) return { state: s, outcome: "none" };
  if (d.granted) return { state: NO_LOCKOUT, outcome: "none" };
  if (!d.counts) return { state: s, outcome: "none" };
  const failures = s.failures + 1;
  if (failures >= cfg.threshold)
    return { state: { failures: 0, until: nowMs + cfg.cooldownMs }, outcome: "locked-out" };
  return { state: { failures, until: undefined }, outcome: "none" };
}

/** When the cool-down timer fires. */
export function afterCooldown(
  s: LockoutState,
  nowMs: number,
): { state: LockoutState; outcome: LockoutOutcome } {
  if (s.until === undefined || nowMs < s.until) return { state: s, outcome: "none" };
  return { state: NO_LOCKOUT, outcome: "cleared" };
}
