/**
 * The I/O board's liveness probe, as a pure transition: every `probeMs` the host asks the board
 * for its firmware (SysEx `F0 79 F7`, which StandardFirmata answers at any time). A board that has
 * answered none for `PROBE_MISSES` periods counts as hung — a crashed sketch, a brown-out, a USB
 * bridge that keeps the port open and passes nothing. An answer proves both directions: a board
 * that still streams reports but no longer reads what the host sends (its relays, its pin modes)
 * fails it too. The probe runs whatever is configured on the board: a digital pin reports only on
 * a change, so silence alone says nothing.
 */

/** unanswered probe periods after which the board counts as hung */
export const PROBE_MISSES = 3;

export interface ProbeState {
  /** monotonic ms of the last answer (or of the handshake, which is one) */
  readonly lastAnswerMs: number;
  readonly hung: boolean;
}

export type ProbeInput =
  | { readonly kind: "tick"; readonly atMs: number }
  | { readonly kind: "answer"; readonly atMs: number };

export type ProbeEffect = { readonly kind: "query" } | { readonly kind: "hung"; readonly quietMs: number };

/** The probe of a board that has just finished its handshake. */
export function probeStart(atMs: number): ProbeState {
  return { lastAnswerMs: atMs, hung: false };
}

/**
 * A tick (every `probeMs`): hung when nothing has answered for `PROBE_MISSES × probeMs`, else ask
 * again. An answer records its time. Once hung the state stays hung (the connection is dropped and
 * a new handshake starts a new probe); a late answer does not revive it.
 */
export function probeStep(
  s: ProbeState,
  input: ProbeInput,
  probeMs: number,
): { state: ProbeState; effects: ProbeEffect[] } {
  if (s.hung) return { state: s, effects: [] };
  if (input.kind === "answer")
    return { state: { ...s, lastAnswerMs: Math.max(s.lastAnswerMs, input.atMs) }, effects: [] };
  const quietMs = input.atMs - s.lastAnswerMs;
  if (quietMs >= PROBE_MISSES * probeMs)
    return { state: { ...s, hung: true }, effects: [{ kind: "hung", quietMs }] };
  return { state: s, effects: [{ kind: "query" }] };
}
