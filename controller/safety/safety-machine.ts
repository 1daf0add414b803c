/**
 * The station's cross-subsystem safety rules, as one pure machine. A thermal or smoke alarm in the
 * battery cabinet, or the smoke detector on the I/O board:
 *
 * - cuts the power of every outlet and of the cabinet, and keeps it cut (latched) until a
 *   technician resets, even after the signal clears: a battery that ran away once is not given
 *   mains again by itself;
 * - releases the door for egress and sounds the local alarm while any cause is active (the door
 *   then follows its own fire rule, `door.fire.revert`, when the release ends);
 * - raises the highest-priority event.
 *
 * The subsystems never call each other: the runner carries these effects out through ports.
 */
export type SafetyCause = "cabinet-thermal" | "cabinet-smoke" | "smoke";

export interface SafetyState {
  /** causes signalling now, sorted */
  readonly active: readonly SafetyCause[];
  /** power stays cut until a technician's reset */
  readonly latched: boolean;
}

export const SAFE: SafetyState = { active: [], latched: false };

export type SafetyInput =
  | {
      readonly type: "signal";
      readonly cause: SafetyCause;
      readonly active: boolean;
      readonly detail?: string;
    }
  | { readonly type: "reset" };

export type SafetyEffect =
  | { readonly type: "power-cut"; readonly on: boolean }
  | { readonly type: "egress"; readonly on: boolean }
  | { readonly type: "sounder"; readonly on: boolean }
  | {
      readonly type: "alarm";
      readonly cause: SafetyCause;
      readonly causes: readonly SafetyCause[];
      readonly detail?: string;
    }
  | { readonly type: "signal-cleared"; readonly cause: SafetyCause; readonly causes: readonly SafetyCause[] }
  | { readonly type: "reset" }
  | { readonly type: "reset-refused"; readonly causes: readonly SafetyCause[] };

export function safetyStep(
  state: SafetyState,
  input: SafetyInput,
): { state: SafetyState; effects: SafetyEffect[] } {
  if (input.type === "reset") {
    if (state.active.length > 0) return { state, effects: [{ type: "reset-refused", causes: state.active }] };
    if (!state.latched) return { state, effects: [] };
    return { state: SAFE, effects: [{ type: "power-cut", on: false }, { type: "reset" }] };
  }
  const has = state.active.includes(input.cause);
  if (input.active) {
    if (has) return { state, effects: [] };
    const active = [...state.active, input.cause].sort();
    const first = state.active.length === 0;
    const effects: SafetyEffect[] = [];
    // The cut first: it is what stops a fire from growing; the event last.
    if (first)
      effects.push(
        { type: "power-cut", on: true },
        { type: "egress", on: true },
        { type: "sounder", on: true },
      );
    effects.push({
      type: "alarm",
      cause: input.cause,
      causes: active,
      ...(input.detail ? { detail: input.detail } : {}),
    });
    return { state: { active, latched: true }, effects };
  }
  if (!has) return { state, effects: [] };
  const active = state.active.filter((c) => c !== input.cause);
  const effects: SafetyEffect[] = [{ type: "signal-cleared", cause: input.cause, causes: active }];
  if (active.length === 0) effects.push({ type: "egress", on: false }, { type: "sounder", on: false });
  return { state: { active, latched: true }, effects };
}
