/**
 * One presentation, one read. The resident ID card ignores HALT, so a reader keeps finding it
 * while it lies there; some readers also lose and re-find a card at the edge of the field. A
 * card seen again on the same reader within `repeatMs` of its last sighting (a read, or its
 * removal) is the same presentation. Keys are credential hashes, never raw identifiers.
 */
export type PresentationState = ReadonlyMap<string, number>;

export const noPresentations: PresentationState = new Map();

function pruned(state: PresentationState, atMs: number, repeatMs: number): Map<string, number> {
  const next = new Map<string, number>();
  for (const [k, t] of state) if (atMs - t < repeatMs) next.set(k, t);
  return next;
}

/** A card was read: `fresh` says whether this starts a new presentation. */
export function sighting(
  state: PresentationState,
  credential: string,
  atMs: number,
  repeatMs: number,
): { state: PresentationState; fresh: boolean } {
  const last = state.get(credential);
  const fresh = last === undefined || atMs - last >= repeatMs;
  const next = pruned(state, atMs, repeatMs);
  next.set(credential, atMs);
  return { state: next, fresh };
}

/** The card left the reader: its presentation lasts until `repeatMs` after this. */
export function departure(state: PresentationState, credential: string, atMs: number): PresentationState {
  if (!state.has(credential)) return state;
  const next = new Map(state);
  next.set(credential, atMs);
  return next;
}
