/** The journal's health as the alarm sees it. */
export type CapacityLevel = "ok" | "warning";

/** How far below the warning ratio the budget must fall before the alarm clears. */
export const CLEAR_MARGIN = 0.1;

/**
 * The capacity alarm with hysteresis: raised at `warnRatio`, cleared only below
 * `warnRatio - CLEAR_MARGIN`, so a journal hovering at the threshold does not flap.
 */
export function capacityLevel(prev: CapacityLevel, usedRatio: number, warnRatio: number): CapacityLevel {
  if (usedRatio >= warnRatio) return "warning";
  if (prev === "warning" && usedRatio >= warnRatio - CLEAR_MARGIN) return "warning";
  return "ok";
}

export function usedRatio(
  count: number,
  bytes: number,
  limits: { maxEvents: number; maxBytes: number },
): number {
  return Math.max(count / limits.maxEvents, bytes / limits.maxBytes);
}
