import { describe, expect, it } from "vitest";
import {
  type DoorEffect,
  type DoorInput,
  type DoorSettings,
  type DoorState,
  type DoorTimer,
  initialDoorState,
  lockFor,
  step,
} from "./machine.ts";

const S: DoorSettings = {
  unlockMs: 5000,
  maxOpenMs: 30_000,
  relockDelayMs: 0,
  heldOpenAlarmMs: 20_000,
  forcedOpenGraceMs: 1000,
  fireRevert: "on-input-clear",
};
const DELAYED: DoorSettings = { ...S, relockDelayMs: 800 };
const MANUAL: DoorSettings = { ...S, fireRevert: "manual-reset" };

/** A state from its interesting fields; the lock is derived, as the machine derives it. */
function st(p: Partial<Omit<DoorState, "lock">> = {}): DoorState {
  const base = { ...initialDoorState("closed"), ...p };
  return { ...base, lock: lockFor(base) };
}

const emit = (event: Extract<DoorEffect, { type: "emit" }>["event"]): DoorEffect => ({ type: "emit", event });
const start = (timer: DoorTimer, ms: number): DoorEffect => ({ type: "start-timer", timer, ms });
const cancel = (timer: DoorTimer): DoorEffect => ({ type: "cancel-timer", timer });
const setLock = (lock: "locked" | "unlocked"): DoorEffect => ({ type: "set-lock", lock });
const holdTimers = [cancel("unlock"), cancel("max-open"), cancel("relock")];
const relocked = (
  reason: Extract<DoorEffect, { type: "emit" }>["event"] & { type: "door.locked" },
): DoorEffect[] => [setLock("locked"), emit(reason), start("forced-grace", 1000)];

interface Row {
  name: string;
  state: DoorState;
  input: DoorInput;
  settings?: DoorSettings;
  expected: DoorState;
  effects: DoorEffect[];
}

const grantRows: Row[] = [
  {
    name: "a grant unlocks a locked, closed door for unlockMs",
    state: st(),
    input: { type: "grant" },
    expected: st({ hold: "window" }),
    effects: [
      cancel("forced-grace"),
      cancel("relock"),
      start("unlock", 5000),
      setLock("unlocked"),
      emit({ type: "door.unlocked", reason: "grant" }),
    ],
  },
  {
    name: "the exit button unlocks and says it was an exit",
    state: st(),
    input: { type: "exit-request" },
    expected: st({ hold: "window" }),
    effects: [
      cancel("forced-grace"),
      emit({ type: "exit.requested" }),
      cancel("relock"),
      start("unlock", 5000),
      setLock("unlocked"),
      emit({ type: "door.unlocked", reason: "exit" }),
    ],
  },
  {
    name: "a second grant restarts the window without a second unlock event",
    state: st({ hold: "window" }),
    input: { type: "grant" },
    expected: st({ hold: "window" }),
    effects: [cancel("relock"), start("unlock", 5000)],
  },
  {
    name: "an exit press with the leaf open unlocks under the open-door bound",
    state: st({ leaf: "open" }),
    input: { type: "exit-request" },
    expected: st({ leaf: "open", hold: "open" }),
    effects: [
      cancel("forced-grace"),
      emit({ type: "exit.requested" }),
      cancel("unlock"),
      cancel("relock"),
      start("max-open", 30_000),
      setLock("unlocked"),
      emit({ type: "door.unlocked", reason: "exit" }),
    ],
  },
  {
    name: "a grant during passage mode changes nothing at the door",
    state: st({ passage: true }),
    input: { type: "grant" },
    expected: st({ passage: true }),
    effects: [],
  },
  {
    name: "an exit press during a fire release is only reported",
    state: st({ fire: "active" }),
    input: { type: "exit-request" },
    expected: st({ fire: "active" }),
    effects: [emit({ type: "exit.requested" })],
  },
];

const leafRows: Row[] = [
  {
    name: "opening an unlocked door swaps the grant window for the open-door bound and watches it",
    state: st({ hold: "window" }),
    input: { type: "door-opened" },
    expected: st({ hold: "open", leaf: "open" }),
    effects: [
      emit({ type: "door.opened", unlocked: true }),
      cancel("unlock"),
      cancel("relock"),
      start("max-open", 30_000),
      start("held-open", 20_000),
    ],
  },
  {
    name: "a locked door that opens is forced",
    state: st(),
    input: { type: "door-opened" },
    expected: st({ leaf: "open", forced: true }),
    effects: [
      emit({ type: "door.opened", unlocked: false }),
      emit({ type: "alarm.raised", alarm: "forced-open" }),
    ],
  },
  {
    name: "a push just after the lock re-engaged is not a forced door",
    state: st({ grace: true }),
    input: { type: "door-opened" },
    expected: st({ leaf: "open", grace: true }),
    effects: [emit({ type: "door.opened", unlocked: false }), start("held-open", 20_000)],
  },
  {
    name: "opening in passage mode raises nothing",
    state: st({ passage: true }),
    input: { type: "door-opened" },
    expected: st({ passage: true, leaf: "open" }),
    effects: [emit({ type: "door.opened", unlocked: true })],
  },
  {
    name: "closing an unlocked door relocks at once without a delay",
    state: st({ hold: "open", leaf: "open" }),
    input: { type: "door-closed" },
    expected: st({ grace: true }),
    effects: [
      emit({ type: "door.closed" }),
      cancel("held-open"),
      cancel("max-open"),
      ...relocked({ type: "door.locked", reason: "closed" }),
    ],
  },
  {
    name: "closing with a relock delay waits for it",
    state: st({ hold: "open", leaf: "open" }),
    input: { type: "door-closed" },
    settings: DELAYED,
    expected: st({ hold: "relocking" }),
    effects: [emit({ type: "door.closed" }), cancel("held-open"), cancel("max-open"), start("relock", 800)],
  },
  {
    name: "closing a forced, held-open door clears both alarms",
    state: st({ leaf: "open", forced: true, heldOpen: true }),
    input: { type: "door-closed" },
    expected: st(),
    effects: [
      emit({ type: "door.closed" }),
      cancel("held-open"),
      emit({ type: "alarm.cleared", alarm: "held-open" }),
      emit({ type: "alarm.cleared", alarm: "forced-open" }),
    ],
  },
  {
    name: "a repeated open edge is ignored",
    state: st({ hold: "open", leaf: "open" }),
    input: { type: "door-opened" },
    expected: st({ hold: "open", leaf: "open" }),
    effects: [],
  },
  {
    name: "a repeated close edge is ignored",
    state: st(),
    input: { type: "door-closed" },
    expected: st(),
    effects: [],
  },
];

const timerRows: Row[] = [
  {
    name: "the grant window running out relocks",
    state: st({ hold: "window" }),
    input: { type: "timer", timer: "unlock" },
    expected: st({ grace: true }),
    effects: relocked({ type: "door.locked", reason: "timeout" }),
  },
  {
    name: "the open-door bound re-engages the lock though the door is open",
    state: st({ hold: "open", leaf: "open" }),
    input: { type: "timer", timer: "max-open" },
    expected: st({ leaf: "open", grace: true }),
    effects: relocked({ type: "door.locked", reason: "max-open" }),
  },
  {
    name: "the relock delay running out relocks",
    state: st({ hold: "relocking" }),
    input: { type: "timer", timer: "relock" },
    settings: DELAYED,
    expected: st({ grace: true }),
    effects: relocked({ type: "door.locked", reason: "closed" }),
  },
  {
    name: "a door left open raises the held-open alarm",
    state: st({ hold: "open", leaf: "open" }),
    input: { type: "timer", timer: "held-open" },
    expected: st({ hold: "open", leaf: "open", heldOpen: true }),
    effects: [emit({ type: "alarm.raised", alarm: "held-open" })],
  },
  {
    name: "the grace period ends",
    state: st({ grace: true }),
    input: { type: "timer", timer: "forced-grace" },
    expected: st(),
    effects: [],
  },
  {
    name: "a stale grant timer on a locked door does nothing",
    state: st(),
    input: { type: "timer", timer: "unlock" },
    expected: st(),
    effects: [],
  },
  {
    name: "a stale held-open timer on a closed door does nothing",
    state: st(),
    input: { type: "timer", timer: "held-open" },
    expected: st(),
    effects: [],
  },
];

const fireRows: Row[] = [
  {
    name: "a fire alarm releases the door, sounds, and ends any timed hold",
    state: st({ hold: "window" }),
    input: { type: "fire", active: true },
    expected: st({ fire: "active" }),
    effects: [
      ...holdTimers,
      cancel("held-open"),
      { type: "sounder", on: true },
      emit({ type: "alarm.raised", alarm: "fire" }),
    ],
  },
  {
    name: "a fire alarm on a locked door unlocks it",
    state: st(),
    input: { type: "fire", active: true },
    expected: st({ fire: "active" }),
    effects: [
      cancel("forced-grace"),
      ...holdTimers,
      cancel("held-open"),
      { type: "sounder", on: true },
      emit({ type: "alarm.raised", alarm: "fire" }),
      setLock("unlocked"),
      emit({ type: "door.unlocked", reason: "fire" }),
    ],
  },
  {
    name: "with on-input-clear, the panel clearing relocks",
    state: st({ fire: "active" }),
    input: { type: "fire", active: false },
    expected: st({ grace: true }),
    effects: [
      { type: "sounder", on: false },
      emit({ type: "alarm.cleared", alarm: "fire" }),
      ...relocked({ type: "door.locked", reason: "fire-reset" }),
    ],
  },
  {
    name: "with manual-reset, the panel clearing only latches",
    state: st({ fire: "active" }),
    input: { type: "fire", active: false },
    settings: MANUAL,
    expected: st({ fire: "latched" }),
    effects: [],
  },
  {
    name: "a technician's reset of a latched fire relocks",
    state: st({ fire: "latched" }),
    input: { type: "fire-reset" },
    settings: MANUAL,
    expected: st({ grace: true }),
    effects: [
      { type: "sounder", on: false },
      emit({ type: "alarm.cleared", alarm: "fire" }),
      ...relocked({ type: "door.locked", reason: "fire-reset" }),
    ],
  },
  {
    name: "a reset while the panel still signals fire does nothing",
    state: st({ fire: "active" }),
    input: { type: "fire-reset" },
    settings: MANUAL,
    expected: st({ fire: "active" }),
    effects: [],
  },
  {
    name: "the panel raising again while latched re-activates without a second alarm event",
    state: st({ fire: "latched" }),
    input: { type: "fire", active: true },
    settings: MANUAL,
    expected: st({ fire: "active" }),
    effects: [...holdTimers, cancel("held-open"), { type: "sounder", on: true }],
  },
  {
    name: "after a fire release ends with the door open, the open door is watched",
    state: st({ fire: "active", leaf: "open" }),
    input: { type: "fire", active: false },
    expected: st({ leaf: "open", grace: true }),
    effects: [
      { type: "sounder", on: false },
      emit({ type: "alarm.cleared", alarm: "fire" }),
      start("held-open", 20_000),
      ...relocked({ type: "door.locked", reason: "fire-reset" }),
    ],
  },
];

const passageRows: Row[] = [
  {
    name: "a passage window releases the door",
    state: st(),
    input: { type: "passage", active: true },
    expected: st({ passage: true }),
    effects: [
      cancel("forced-grace"),
      ...holdTimers,
      cancel("held-open"),
      setLock("unlocked"),
      emit({ type: "door.unlocked", reason: "passage" }),
    ],
  },
  {
    name: "the end of the window relocks",
    state: st({ passage: true }),
    input: { type: "passage", active: false },
    expected: st({ grace: true }),
    effects: relocked({ type: "door.locked", reason: "passage-end" }),
  },
  {
    name: "the end of the window during a fire release leaves the door released",
    state: st({ passage: true, fire: "active" }),
    input: { type: "passage", active: false },
    expected: st({ fire: "active" }),
    effects: [],
  },
  {
    name: "the end of the window with the door open watches it",
    state: st({ passage: true, leaf: "open" }),
    input: { type: "passage", active: false },
    expected: st({ leaf: "open", grace: true }),
    effects: [start("held-open", 20_000), ...relocked({ type: "door.locked", reason: "passage-end" })],
  },
];

const watchdogRows: Row[] = [
  {
    name: "the watchdog ends a timed hold",
    state: st({ hold: "open", leaf: "open" }),
    input: { type: "force-relock" },
    expected: st({ leaf: "open", grace: true }),
    effects: [...holdTimers, ...relocked({ type: "door.locked", reason: "watchdog" })],
  },
  {
    name: "the watchdog never relocks against a fire release",
    state: st({ fire: "active", hold: "none" }),
    input: { type: "force-relock" },
    expected: st({ fire: "active" }),
    effects: [],
  },
  {
    name: "the watchdog never relocks a passage window",
    state: st({ passage: true }),
    input: { type: "force-relock" },
    expected: st({ passage: true }),
    effects: [],
  },
  {
    name: "a lock command ends a timed hold",
    state: st({ hold: "open", leaf: "open" }),
    input: { type: "lock-request" },
    expected: st({ leaf: "open", grace: true }),
    effects: [...holdTimers, ...relocked({ type: "door.locked", reason: "command" })],
  },
  {
    name: "a lock command ends passage mode",
    state: st({ passage: true }),
    input: { type: "lock-request" },
    expected: st({ grace: true }),
    effects: [...holdTimers, ...relocked({ type: "door.locked", reason: "command" })],
  },
  {
    name: "a lock command never relocks against a fire release",
    state: st({ fire: "active", passage: true }),
    input: { type: "lock-request" },
    expected: st({ fire: "active", passage: true }),
    effects: [],
  },
  {
    name: "a lock command on a locked door does nothing",
    state: st(),
    input: { type: "lock-request" },
    expected: st(),
    effects: [],
  },
];

describe("door state machine", () => {
  describe.each([
    ["grants and the exit button", grantRows],
    ["the leaf", leafRows],
    ["timers", timerRows],
    ["fire alarm", fireRows],
    ["passage mode", passageRows],
    ["watchdog", watchdogRows],
  ] as const)("%s", (_group, rows) => {
    it.each(rows)("$name", ({ state, input, settings, expected, effects }) => {
      const result = step(state, input, settings ?? S);
      expect(result.state).toEqual(expected);
      expect(result.effects).toEqual(effects);
    });
  });
});
