/**
 * The parts of the remotely settable config a running station takes without a restart
 * (docs/central-integration.md lists them). Each is read afresh at every decision or unlock and
 * swapped whole between two of them (Entrance.reconfigure). Everything else — the lock mode, the
 * fire input, the passage schedule, the time zone, the station file's own allow list, the
 * degraded-mode policies — is built into running machines once, so it waits for a planned restart.
 */
export const LIVE_PATHS = [
  "door.unlockMs",
  "door.maxOpenMs",
  "door.relockDelayMs",
  "door.heldOpenAlarmMs",
  "door.forcedOpenGraceMs",
  "access.schedules",
  "access.holidays",
  "access.lockout",
  "access.rereadSuppressMs",
  "access.capacity",
  "access.antiPassback",
  "access.pins",
] as const;

/** A leaf path is live when it is, or lies under, one of LIVE_PATHS. */
export function isLivePath(path: string): boolean {
  return LIVE_PATHS.some((p) => path === p || path.startsWith(`${p}.`));
}

/** The paths of `changed` that need a restart (none: the change can be applied live). */
export function restartPaths(changed: readonly string[]): string[] {
  return changed.filter((p) => !isLivePath(p));
}
