import type { FaceServiceStatus } from "./face-supervisor.ts";

/** RSS moves by this much before `state` is published again for it alone. */
export const RSS_STEP_MB = 16;

/**
 * What of the face process's status is worth a new retained `state`: its phase, restarts, PID,
 * the template set, and its RSS in steps of RSS_STEP_MB. The health answer comes every
 * `healthIntervalMs` (5 s) with an RSS that wanders by fractions of a MB; publishing each would
 * re-send the whole station state every 5 s for nothing. A state published for any other reason
 * carries the latest RSS anyway.
 */
export function faceStateKey(s: FaceServiceStatus): string {
  const h = s.health;
  const rss = h ? Math.floor(h.rssMb / RSS_STEP_MB) : "-";
  return [
    s.phase,
    s.restarts,
    s.pid ?? "-",
    h?.templates ?? "-",
    h?.people ?? "-",
    h?.unreadable ?? 0,
    rss,
  ].join("|");
}
