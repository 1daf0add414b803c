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
 * The smoke detector on the I/O board can go unseen (the board unplugged or hung). Losing it is
 * a `watch` input, with the station file's policy: `cut-power` (the default) holds the outlets'
 * and the cabinet's power off while nobody watches for smoke, without latching, releasing the
 * door or sounding (a USB hiccup is no fire); `alarm` treats it as smoke itself
 * (`smoke-detector-offline`, latched like any cause). A restart with the latch on file starts
 * from `restored`: power cut until the technician's reset, as before the restart.
 *
 * The subsystems never call each other: the runner carries these effects out through ports.
 */
export type SafetyCause = "cabinet-thermal" | "cabinet-smoke" | "smoke" | "smoke-detector-offline";
export type OfflinePolicy = "cut-power" | "alarm";

export interface SafetyState {
  /** causes signalling now, sorted */
  readonly active: readonly SafetyCause[];
  /** power stays cut until a technician's reset */
  readonly latched: boolean;
  /** the smoke detector cannot be read (policy cut-power): power held off until it can */
  readonly watchLost: boolean;
}

export const SAFE: SafetyState = { active: [], latched: false, watchLost: false };

export type SafetyInput =
  | {
      readonly type: "signal";
      readonly cause: SafetyCause;
      readonly active: boolean;
      readonly detail?: string;
    }
  | { readonly type: "reset" }
  | { readonly type: "watch"; readonly ok: boolean; readonly policy: OfflinePolicy; readonly detail?: string }
  | { readonly type: "restored" };

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
  | { readonly type: "watch-lost"; readonly detail?: string }
  | { readonly type: "watch-restored" }
  | { readonly type: "reset" }
  | { readonly type: "reset-refused"; readonly causes: readonly SafetyCause[] };

/** whether the outlets' and the cabinet's power is held off in `s` */
export const powerCut = (s: SafetyState): boolean => s.latched || s.watchLost || s.active.length > 0;

type Step = { state: SafetyState; effects: SafetyEffect[] };

/** One step; the power follows the state, and its change is always the first effect. */
export function safetyStep(state: SafetyState, input: SafetyInput): Step {
  const r = rules(state, input);
  const cut = powerCut(r.state);
  if (cut === powerCut(state)) return r;
  // The cut first: it is what stops a fire from growing; the event last.
  return { state: r.state, effects: [{ type: "power-cut", on: cut }, ...r.effects] };
}

function rules(state: SafetyState, input: SafetyInput): Step {
  switch (input.type) {
    case "reset":
      if (state.active.length > 0)
        return { state, effects: [{ type: "reset-refused", causes: state.active }] };
      if (!state.latched) return { state, effects: [] };
      return { state: { ...state, latched: false }, effects: [{ type: "reset" }] };
    case "restored":
      return { state: { ...state, latched: true }, effects: [] };
    case "watch":
      if (input.policy === "alarm")
        return signal(state, "smoke-detector-offline", !input.ok, input.ok ? undefined : input.detail);
      if (input.ok === !state.watchLost) return { state, effects: [] };
      return {
        state: { ...state, watchLost: !input.ok },
        effects: [
          input.ok
            ? { type: "watch-restored" }
            : { type: "watch-lost", ...(input.detail ? { detail: input.detail } : {}) },
        ],
      };
    case "signal":
      return signal(state, input.cause, input.active, input.detail);
  }
}

function signal(state: SafetyState, cause: SafetyCause, on: boolean, detail: string | undefined): Step {
  const has = state.active.includes(cause);
  if (on) {
    if (has) return { state, effects: [] };
    const active = [...state.active, cause].sort();
    const effects: SafetyEffect[] = [];
    if (state.active.length === 0) effects.push({ type: "egress", on: true }, { type: "sounder", on: true });
    effects.push({ type: "alarm", cause, causes: active, ...(detail ? { detail } : {}) });
    return { state: { ...state, active, latched: true }, effects };
  }
  if (!has) return { state, effects: [] };
  const active = state.active.filter((c) => c !== cause);
  const effects: SafetyEffect[] = [{ type: "signal-cleared", cause, causes: active }];
  if (active.length === 0) effects.push({ type: "egress", on: false }, { type: "sounder", on: false });
  return { state: { ...state, active, latched: true }, effects };
}
