/**
 * The I/O board's liveness probe, as a pure transition: every `probeMs` the host asks the board
 * for its firmware (SysEx `F0 79 F7`, which StandardFirmata answers at any time). A board that has
 * answered none for `PROBE_MISSES` periods counts as hung — a crashed sketch, a brown-out, a USB
 * bridge that keeps the port open and passes nothing. An answer proves both directions: a board
 * that still streams reports but no longer reads what the host sends (its relays, its pin modes)
 * fails it too. The probe runs whatever is configured on the board: a digital pin reports only on
 * a change, so silence alone says nothing.
 */

/** firmware queries in a row left unanswered after which the board counts as hung */
export const PROBE_MISSES = 3;

/**
 * Counted in queries, not in time since the last answer: after the event loop stalls (a GC, a
 * loaded machine) the probe's timer runs before the answer that waits in the port's buffer is
 * read, and a clock-based probe would call a healthy board hung.
 */
export interface ProbeState {
  /** queries sent since the last answer (the handshake counts as one) */
  readonly unanswered: number;
  readonly hung: boolean;
}

export type ProbeInput = { readonly kind: "tick" } | { readonly kind: "answer" };

export type ProbeEffect = { readonly kind: "query" } | { readonly kind: "hung"; readonly unanswered: number };

/** The probe of a board that has just finished its handshake. */
export function probeStart(): ProbeState {
  return { unanswered: 0, hung: false };
}

/**
 * A tick (every `probeMs`): hung when the last `PROBE_MISSES` queries went unanswered, else ask
 * again. A board that hangs is noticed 3–4 `probeMs` later. An answer (to any query) resets the
 * count. Once hung the state stays hung (the connection is dropped and a new handshake starts a
 * new probe); a late answer does not revive it.
 */
export function probeStep(s: ProbeState, input: ProbeInput): { state: ProbeState; effects: ProbeEffect[] } {
  if (s.hung) return { state: s, effects: [] };
  if (input.kind === "answer") return { state: { ...s, unanswered: 0 }, effects: [] };
  if (s.unanswered >= PROBE_MISSES)
    return { state: { ...s, hung: true }, effects: [{ kind: "hung", unanswered: s.unanswered }] };
  return { state: { ...s, unanswered: s.unanswered + 1 }, effects: [{ kind: "query" }] };
}
