/**
 * The door as a pure state machine: `step(state, event, settings)` returns the next state and the
 * effects to carry out (drive the lock, start or cancel a timer, emit an event). No I/O here.
 *
 * Invariant (tested): whenever the lock is unlocked, a timer that relocks it is running.
 */
export type LockState = "locked" | "unlocked";
export type LeafState = "closed" | "open";
export type UnlockReason = "grant" | "exit";
export type RelockReason = "closed" | "timeout" | "max-open";
export type DoorTimer = "unlock" | "max-open" | "relock";

export interface DoorState {
  readonly lock: LockState;
  readonly leaf: LeafState;
}

export interface DoorSettings {
  /** how long a grant holds when nobody opens the door */
  readonly unlockMs: number;
  /** bound on an unlock while the door stands open */
  readonly maxOpenMs: number;
  /** delay between the door closing and the lock re-engaging (0 = at once) */
  readonly relockDelayMs: number;
}

export type DoorInput =
  | { readonly type: "grant" }
  | { readonly type: "exit-request" }
  | { readonly type: "door-opened" }
  | { readonly type: "door-closed" }
  | { readonly type: "timer"; readonly timer: DoorTimer };

export type DoorEffect =
  | { readonly type: "set-lock"; readonly lock: LockState }
  | { readonly type: "start-timer"; readonly timer: DoorTimer; readonly ms: number }
  | { readonly type: "cancel-timer"; readonly timer: DoorTimer }
  | { readonly type: "emit"; readonly event: DoorEventOut };

export type DoorEventOut =
  | { readonly type: "door.unlocked"; readonly reason: UnlockReason }
  | { readonly type: "door.locked"; readonly reason: RelockReason }
  | { readonly type: "door.opened"; readonly unlocked: boolean }
  | { readonly type: "door.closed" }
  | { readonly type: "exit.requested" };

export interface Step {
  readonly state: DoorState;
  readonly effects: readonly DoorEffect[];
}

export const initialDoorState = (leaf: LeafState): DoorState => ({ lock: "locked", leaf });

const ALL_TIMERS: readonly DoorTimer[] = ["unlock", "max-open", "relock"];

function relock(state: DoorState, reason: RelockReason): Step {
  return {
    state: { ...state, lock: "locked" },
    effects: [
      ...ALL_TIMERS.map((timer) => ({ type: "cancel-timer", timer }) as const),
      { type: "set-lock", lock: "locked" },
      { type: "emit", event: { type: "door.locked", reason } },
    ],
  };
}

function unlock(state: DoorState, reason: UnlockReason, s: DoorSettings): Step {
  // With the leaf already open, the open-door bound governs; otherwise the grant window does.
  const timer: DoorTimer = state.leaf === "open" ? "max-open" : "unlock";
  const ms = state.leaf === "open" ? s.maxOpenMs : s.unlockMs;
  const pre: DoorEffect[] = reason === "exit" ? [{ type: "emit", event: { type: "exit.requested" } }] : [];
  if (state.lock === "unlocked") {
    // A second grant extends the window; it does not emit a second unlock.
    return {
      state,
      effects: [...pre, { type: "cancel-timer", timer: "relock" }, { type: "start-timer", timer, ms }],
    };
  }
  return {
    state: { ...state, lock: "unlocked" },
    effects: [
      ...pre,
      { type: "set-lock", lock: "unlocked" },
      { type: "start-timer", timer, ms },
      { type: "emit", event: { type: "door.unlocked", reason } },
    ],
  };
}

export function step(state: DoorState, input: DoorInput, s: DoorSettings): Step {
  switch (input.type) {
    case "grant":
      return unlock(state, "grant", s);
    case "exit-request":
      return unlock(state, "exit", s);
    case "door-opened": {
      if (state.leaf === "open") return { state, effects: [] };
      const next: DoorState = { ...state, leaf: "open" };
      const opened: DoorEffect = {
        type: "emit",
        event: { type: "door.opened", unlocked: state.lock === "unlocked" },
      };
      if (state.lock === "locked") return { state: next, effects: [opened] };
      return {
        state: next,
        effects: [
          opened,
          { type: "cancel-timer", timer: "unlock" },
          { type: "cancel-timer", timer: "relock" },
          { type: "start-timer", timer: "max-open", ms: s.maxOpenMs },
        ],
      };
    }
    case "door-closed": {
      if (state.leaf === "closed") return { state, effects: [] };
      const next: DoorState = { ...state, leaf: "closed" };
      const closed: DoorEffect = { type: "emit", event: { type: "door.closed" } };
      if (state.lock === "locked") return { state: next, effects: [closed] };
      if (s.relockDelayMs === 0) {
        const r = relock(next, "closed");
        return { state: r.state, effects: [closed, ...r.effects] };
      }
      return {
        state: next,
        effects: [
          closed,
          { type: "cancel-timer", timer: "max-open" },
          { type: "start-timer", timer: "relock", ms: s.relockDelayMs },
        ],
      };
    }
    case "timer": {
      if (state.lock === "locked") return { state, effects: [] };
      const reason: RelockReason =
        input.timer === "unlock" ? "timeout" : input.timer === "relock" ? "closed" : "max-open";
      return relock(state, reason);
    }
  }
}
