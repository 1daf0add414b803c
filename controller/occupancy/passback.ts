/**
 * Anti-passback by direction, pure: with an entry and an exit reader, a card that went in cannot
 * go in again until it has come out (so one card cannot be handed back through the door for a
 * second person). The written rule for lost exits (someone left behind another person, or the
 * exit reader was down): when the station is seen empty, everyone is out; and nobody is held
 * inside longer than `maxStayMs`, so a forgotten exit never locks a worker out for good.
 */
export interface PassbackState {
  /** credential hash → monotonic ms it went in */
  readonly inside: ReadonlyMap<string, number>;
}

export const NO_ONE_INSIDE: PassbackState = { inside: new Map() };

export type PassbackEvent =
  | { type: "grant"; credential: string; direction: "in" | "out"; atMs: number }
  | { type: "empty" };

export function passbackStep(s: PassbackState, e: PassbackEvent): PassbackState {
  if (e.type === "empty") return s.inside.size === 0 ? s : NO_ONE_INSIDE;
  const inside = new Map(s.inside);
  if (e.direction === "in") inside.set(e.credential, e.atMs);
  else inside.delete(e.credential);
  return { inside };
}

export function isInside(s: PassbackState, credential: string, nowMs: number, maxStayMs: number): boolean {
  const at = s.inside.get(credential);
  return at !== undefined && nowMs - at < maxStayMs;
}
