/**
 * The door as a pure state machine: `step(state, input, settings)` returns the next state and the
 * effects to carry out (drive the lock and the sounder, start or cancel timers, emit events).
 * No I/O here; DoorController runs it.
 *
 * The lock is released while any hold is on: a timed grant/exit hold, passage mode, or a fire
 * alarm. Invariant (tested): whenever only the timed hold keeps it released, a timer that ends
 * that hold is running.
 */
export type LockState = "locked" | "unlocked";
export type LeafState = "closed" | "open";
export type UnlockReason = "grant" | "exit" | "passage" | "fire";
export type RelockReason =
  | "closed"
  | "timeout"
  | "max-open"
  | "passage-end"
  | "fire-reset"
  | "watchdog"
  | "command";
export type DoorTimer = "unlock" | "max-open" | "relock" | "held-open" | "forced-grace";
/** `latched`: the panel cleared its input but the rule waits for a technician's reset */
export type FireState = "off" | "active" | "latched";
export type DoorAlarm = "held-open" | "forced-open" | "fire";
/** window: nobody opened yet; open: the leaf is open; relocking: closed, waiting relockDelayMs */
export type TimedHold = "none" | "window" | "open" | "relocking";

export interface DoorState {
  readonly lock: LockState;
  readonly leaf: LeafState;
  readonly hold: TimedHold;
  readonly passage: boolean;
  readonly fire: FireState;
  readonly heldOpen: boolean;
  readonly forced: boolean;
  /** just relocked: an opening now is a slow push, not a forced door */
  readonly grace: boolean;
}

export interface DoorSettings {
  readonly unlockMs: number;
  readonly maxOpenMs: number;
  readonly relockDelayMs: number;
  readonly heldOpenAlarmMs: number;
  readonly forcedOpenGraceMs: number;
  readonly fireRevert: "on-input-clear" | "manual-reset";
}

export type DoorInput =
  | { readonly type: "grant" }
  | { readonly type: "exit-request" }
  | { readonly type: "door-opened" }
  | { readonly type: "door-closed" }
  | { readonly type: "timer"; readonly timer: DoorTimer }
  | { readonly type: "fire"; readonly active: boolean }
  | { readonly type: "fire-reset" }
  | { readonly type: "passage"; readonly active: boolean }
  | { readonly type: "force-relock" }
  /** someone with the right to (a signed command, the technician) locks now: ends a timed hold and passage */
  | { readonly type: "lock-request" };

export type DoorEventOut =
  | { readonly type: "door.unlocked"; readonly reason: UnlockReason }
  | { readonly type: "door.locked"; readonly reason: RelockReason }
  | { readonly type: "door.opened"; readonly unlocked: boolean }
  | { readonly type: "door.closed" }
  | { readonly type: "exit.requested" }
  | { readonly type: "alarm.raised"; readonly alarm: DoorAlarm }
  | { readonly type: "alarm.cleared"; readonly alarm: DoorAlarm };

export type DoorEffect =
  | { readonly type: "set-lock"; readonly lock: LockState }
  | { readonly type: "sounder"; readonly on: boolean }
  | { readonly type: "start-timer"; readonly timer: DoorTimer; readonly ms: number }
  | { readonly type: "cancel-timer"; readonly timer: DoorTimer }
  | { readonly type: "emit"; readonly event: DoorEventOut };

export interface Step {
  readonly state: DoorState;
  readonly effects: readonly DoorEffect[];
}

export const initialDoorState = (leaf: LeafState): DoorState => ({
  lock: "locked",
  leaf,
  hold: "none",
  passage: false,
  fire: "off",
  heldOpen: false,
  forced: false,
  grace: false,
});

/** What the lock should be: released while any hold is on. */
export function lockFor(s: Omit<DoorState, "lock">): LockState {
  return s.hold !== "none" || s.passage || s.fire !== "off" ? "unlocked" : "locked";
}

const emit = (event: DoorEventOut): DoorEffect => ({ type: "emit", event });
const cancel = (timer: DoorTimer): DoorEffect => ({ type: "cancel-timer", timer });
const start = (timer: DoorTimer, ms: number): DoorEffect => ({ type: "start-timer", timer, ms });
const HOLD_TIMERS: readonly DoorEffect[] = [cancel("unlock"), cancel("max-open"), cancel("relock")];

/** Derive the lock from the holds and append what a change of lock means. */
function settle(
  next: Omit<DoorState, "lock">,
  prevLock: LockState,
  effects: DoorEffect[],
  s: DoorSettings,
  why: { unlock?: UnlockReason; relock?: RelockReason },
): Step {
  const lock = lockFor(next);
  if (lock === prevLock) return { state: { ...next, lock }, effects };
  if (lock === "unlocked") {
    effects.push({ type: "set-lock", lock }, emit({ type: "door.unlocked", reason: why.unlock ?? "grant" }));
    return { state: { ...next, lock, grace: false }, effects: [cancel("forced-grace"), ...effects] };
  }
  effects.push({ type: "set-lock", lock }, emit({ type: "door.locked", reason: why.relock ?? "timeout" }));
  if (s.forcedOpenGraceMs > 0) effects.push(start("forced-grace", s.forcedOpenGraceMs));
  return { state: { ...next, lock, grace: s.forcedOpenGraceMs > 0 }, effects };
}

function unlockFor(state: DoorState, reason: "grant" | "exit", s: DoorSettings): Step {
  const fx: DoorEffect[] = reason === "exit" ? [emit({ type: "exit.requested" })] : [];
  // Passage mode or a fire release already holds the door; a grant adds nothing to time out.
  if (state.passage || state.fire !== "off") return { state, effects: fx };
  if (state.leaf === "open") {
    fx.push(cancel("unlock"), cancel("relock"), start("max-open", s.maxOpenMs));
    return settle({ ...state, hold: "open" }, state.lock, fx, s, { unlock: reason });
  }
  fx.push(cancel("relock"), start("unlock", s.unlockMs));
  return settle({ ...state, hold: "window" }, state.lock, fx, s, { unlock: reason });
}

function opened(state: DoorState, s: DoorSettings): Step {
  if (state.leaf === "open") return { state, effects: [] };
  const fx: DoorEffect[] = [emit({ type: "door.opened", unlocked: state.lock === "unlocked" })];
  let next: DoorState = { ...state, leaf: "open" };
  const intendedOpen = state.passage || state.fire !== "off";
  if (state.hold === "window" || state.hold === "relocking") {
    next = { ...next, hold: "open" };
    fx.push(cancel("unlock"), cancel("relock"), start("max-open", s.maxOpenMs));
  }
  if (state.lock === "locked" && !state.grace) {
    next = { ...next, forced: true };
    fx.push(emit({ type: "alarm.raised", alarm: "forced-open" }));
  } else if (!intendedOpen) {
    fx.push(start("held-open", s.heldOpenAlarmMs));
  }
  return { state: next, effects: fx };
}

function closed(state: DoorState, s: DoorSettings): Step {
  if (state.leaf === "closed") return { state, effects: [] };
  const fx: DoorEffect[] = [emit({ type: "door.closed" }), cancel("held-open")];
  if (state.heldOpen) fx.push(emit({ type: "alarm.cleared", alarm: "held-open" }));
  if (state.forced) fx.push(emit({ type: "alarm.cleared", alarm: "forced-open" }));
  const next = { ...state, leaf: "closed" as const, heldOpen: false, forced: false };
  if (state.hold !== "open") return { state: next, effects: fx };
  fx.push(cancel("max-open"));
  if (s.relockDelayMs === 0)
    return settle({ ...next, hold: "none" }, state.lock, fx, s, { relock: "closed" });
  fx.push(start("relock", s.relockDelayMs));
  return { state: { ...next, hold: "relocking" }, effects: fx };
}

function timer(state: DoorState, t: DoorTimer, s: DoorSettings): Step {
  const endHold = (hold: TimedHold, reason: RelockReason): Step =>
    state.hold === hold
      ? settle({ ...state, hold: "none" }, state.lock, [], s, { relock: reason })
      : { state, effects: [] };
  switch (t) {
    case "unlock":
      return endHold("window", "timeout");
    case "max-open":
      return endHold("open", "max-open");
    case "relock":
      return endHold("relocking", "closed");
    case "forced-grace":
      return { state: { ...state, grace: false }, effects: [] };
    case "held-open":
      if (state.leaf !== "open" || state.heldOpen || state.passage || state.fire !== "off") {
        return { state, effects: [] };
      }
      return {
        state: { ...state, heldOpen: true },
        effects: [emit({ type: "alarm.raised", alarm: "held-open" })],
      };
  }
}

function fire(state: DoorState, active: boolean, s: DoorSettings): Step {
  if (active) {
    if (state.fire === "active") return { state, effects: [] };
    const fx: DoorEffect[] = [...HOLD_TIMERS, cancel("held-open"), { type: "sounder", on: true }];
    if (state.fire === "off") fx.push(emit({ type: "alarm.raised", alarm: "fire" }));
    return settle({ ...state, fire: "active", hold: "none" }, state.lock, fx, s, { unlock: "fire" });
  }
  if (state.fire !== "active") return { state, effects: [] };
  if (s.fireRevert === "manual-reset") return { state: { ...state, fire: "latched" }, effects: [] };
  return fireOff(state, s);
}

function fireOff(state: DoorState, s: DoorSettings): Step {
  const fx: DoorEffect[] = [{ type: "sounder", on: false }, emit({ type: "alarm.cleared", alarm: "fire" })];
  // A door still open when the fire release ends is watched like any other open door.
  if (state.leaf === "open" && !state.passage) fx.push(start("held-open", s.heldOpenAlarmMs));
  return settle({ ...state, fire: "off" }, state.lock, fx, s, { relock: "fire-reset" });
}

function passage(state: DoorState, active: boolean, s: DoorSettings): Step {
  if (state.passage === active) return { state, effects: [] };
  if (active) {
    const fx: DoorEffect[] = [...HOLD_TIMERS, cancel("held-open")];
    if (state.heldOpen) fx.push(emit({ type: "alarm.cleared", alarm: "held-open" }));
    return settle({ ...state, passage: true, hold: "none", heldOpen: false }, state.lock, fx, s, {
      unlock: "passage",
    });
  }
  const fx: DoorEffect[] =
    state.leaf === "open" && state.fire === "off" ? [start("held-open", s.heldOpenAlarmMs)] : [];
  return settle({ ...state, passage: false }, state.lock, fx, s, { relock: "passage-end" });
}

export function step(state: DoorState, input: DoorInput, s: DoorSettings): Step {
  switch (input.type) {
    case "grant":
      return unlockFor(state, "grant", s);
    case "exit-request":
      return unlockFor(state, "exit", s);
    case "door-opened":
      return opened(state, s);
    case "door-closed":
      return closed(state, s);
    case "timer":
      return timer(state, input.timer, s);
    case "fire":
      return fire(state, input.active, s);
    case "fire-reset":
      return state.fire === "latched" ? fireOff(state, s) : { state, effects: [] };
    case "passage":
      return passage(state, input.active, s);
    case "force-relock":
      // The watchdog: never against a fire release or a passage window, which hold on purpose.
      if (state.hold === "none" || state.fire !== "off" || state.passage) return { state, effects: [] };
      return settle({ ...state, hold: "none" }, state.lock, [...HOLD_TIMERS], s, { relock: "watchdog" });
    case "lock-request":
      // Never against a fire release: egress does not depend on who asks.
      if (state.fire !== "off" || (state.hold === "none" && !state.passage)) return { state, effects: [] };
      return settle({ ...state, hold: "none", passage: false }, state.lock, [...HOLD_TIMERS], s, {
        relock: "command",
      });
  }
}
