import type { FaceServiceStatus } from "./face-supervisor.ts";

/** RSS moves by this much from the value last published before `state` is published for it alone. */
export const RSS_STEP_MB = 16;

/** What a published `state` said of the face process. */
export interface PublishedFace {
  readonly key: string;
  readonly rssMb: number | undefined;
}

/**
 * Whether the face process's status is worth a new retained `state`, and what it then says: its
 * phase, restarts, PID and template set changing, its first RSS, or its RSS moving RSS_STEP_MB
 * from the value last published (from that value, not across fixed steps, so an RSS wandering
 * around a step's edge is not published at every answer). The health answer comes every
 * `healthIntervalMs` (5 s) with an RSS that moves by fractions of a MB; publishing each would
 * re-send the whole station state every 5 s for nothing. A state published for any other reason
 * carries the latest RSS anyway. Undefined: not worth it.
 */
export function facePublish(
  last: PublishedFace | undefined,
  s: FaceServiceStatus,
): PublishedFace | undefined {
  const h = s.health;
  const key = [
    s.phase,
    s.restarts,
    s.pid ?? "-",
    h?.templates ?? "-",
    h?.people ?? "-",
    h?.unreadable ?? 0,
  ].join("|");
  const rssMb = h?.rssMb;
  const rssMoved =
    rssMb !== undefined && (last?.rssMb === undefined || Math.abs(rssMb - last.rssMb) >= RSS_STEP_MB);
  if (last && key === last.key && !rssMoved) return undefined;
  return { key, rssMb: rssMoved || last === undefined ? rssMb : last.rssMb };
}
