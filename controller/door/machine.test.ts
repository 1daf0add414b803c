import { describe, expect, it } from "vitest";
import { type DoorEffect, type DoorInput, type DoorSettings, type DoorState, step } from "./machine.ts";

const S: DoorSettings = { unlockMs: 5000, maxOpenMs: 30_000, relockDelayMs: 0 };
const DELAYED: DoorSettings = { ...S, relockDelayMs: 800 };

const locked = (leaf: DoorState["leaf"] = "closed"): DoorState => ({ lock: "locked", leaf });
const unlocked = (leaf: DoorState["leaf"] = "closed"): DoorState => ({ lock: "unlocked", leaf });

const cancelAll: DoorEffect[] = [
  { type: "cancel-timer", timer: "unlock" },
  { type: "cancel-timer", timer: "max-open" },
  { type: "cancel-timer", timer: "relock" },
];
const relockFx = (reason: "closed" | "timeout" | "max-open"): DoorEffect[] => [
  ...cancelAll,
  { type: "set-lock", lock: "locked" },
  { type: "emit", event: { type: "door.locked", reason } },
];

interface Row {
  name: string;
  state: DoorState;
  input: DoorInput;
  settings?: DoorSettings;
  expected: DoorState;
  effects: DoorEffect[];
}

const rows: Row[] = [
  {
    name: "a grant unlocks a locked, closed door for unlockMs",
    state: locked(),
    input: { type: "grant" },
    expected: unlocked(),
    effects: [
      { type: "set-lock", lock: "unlocked" },
      { type: "start-timer", timer: "unlock", ms: 5000 },
      { type: "emit", event: { type: "door.unlocked", reason: "grant" } },
    ],
  },
  {
    name: "the exit button unlocks and says it was an exit",
    state: locked(),
    input: { type: "exit-request" },
    expected: unlocked(),
    effects: [
      { type: "emit", event: { type: "exit.requested" } },
      { type: "set-lock", lock: "unlocked" },
      { type: "start-timer", timer: "unlock", ms: 5000 },
      { type: "emit", event: { type: "door.unlocked", reason: "exit" } },
    ],
  },
  {
    name: "a second grant while unlocked restarts the window without a second unlock event",
    state: unlocked(),
    input: { type: "grant" },
    expected: unlocked(),
    effects: [
      { type: "cancel-timer", timer: "relock" },
      { type: "start-timer", timer: "unlock", ms: 5000 },
    ],
  },
  {
    name: "an exit press while the door stands open (locked) unlocks under the open-door bound",
    state: locked("open"),
    input: { type: "exit-request" },
    expected: unlocked("open"),
    effects: [
      { type: "emit", event: { type: "exit.requested" } },
      { type: "set-lock", lock: "unlocked" },
      { type: "start-timer", timer: "max-open", ms: 30_000 },
      { type: "emit", event: { type: "door.unlocked", reason: "exit" } },
    ],
  },
  {
    name: "opening an unlocked door swaps the grant window for the open-door bound",
    state: unlocked(),
    input: { type: "door-opened" },
    expected: unlocked("open"),
    effects: [
      { type: "emit", event: { type: "door.opened", unlocked: true } },
      { type: "cancel-timer", timer: "unlock" },
      { type: "cancel-timer", timer: "relock" },
      { type: "start-timer", timer: "max-open", ms: 30_000 },
    ],
  },
  {
    name: "a locked door that opens is reported as opened while locked",
    state: locked(),
    input: { type: "door-opened" },
    expected: locked("open"),
    effects: [{ type: "emit", event: { type: "door.opened", unlocked: false } }],
  },
  {
    name: "closing an unlocked door relocks at once without a delay",
    state: unlocked("open"),
    input: { type: "door-closed" },
    expected: locked("closed"),
    effects: [{ type: "emit", event: { type: "door.closed" } }, ...relockFx("closed")],
  },
  {
    name: "closing an unlocked door with a relock delay waits for it",
    state: unlocked("open"),
    input: { type: "door-closed" },
    settings: DELAYED,
    expected: unlocked("closed"),
    effects: [
      { type: "emit", event: { type: "door.closed" } },
      { type: "cancel-timer", timer: "max-open" },
      { type: "start-timer", timer: "relock", ms: 800 },
    ],
  },
  {
    name: "the relock delay running out locks",
    state: unlocked("closed"),
    input: { type: "timer", timer: "relock" },
    settings: DELAYED,
    expected: locked(),
    effects: relockFx("closed"),
  },
  {
    name: "the grant window running out locks",
    state: unlocked(),
    input: { type: "timer", timer: "unlock" },
    expected: locked(),
    effects: relockFx("timeout"),
  },
  {
    name: "the open-door bound running out re-engages the lock though the door is open",
    state: unlocked("open"),
    input: { type: "timer", timer: "max-open" },
    expected: locked("open"),
    effects: relockFx("max-open"),
  },
  {
    name: "closing a locked door only reports it",
    state: locked("open"),
    input: { type: "door-closed" },
    expected: locked("closed"),
    effects: [{ type: "emit", event: { type: "door.closed" } }],
  },
  {
    name: "a stale timer on a locked door does nothing",
    state: locked(),
    input: { type: "timer", timer: "unlock" },
    expected: locked(),
    effects: [],
  },
  {
    name: "a repeated open edge is ignored",
    state: unlocked("open"),
    input: { type: "door-opened" },
    expected: unlocked("open"),
    effects: [],
  },
  {
    name: "a repeated close edge is ignored",
    state: locked("closed"),
    input: { type: "door-closed" },
    expected: locked("closed"),
    effects: [],
  },
];

describe("door state machine", () => {
  it.each(rows)("$name", ({ state, input, settings, expected, effects }) => {
    const result = step(state, input, settings ?? S);
    expect(result.state).toEqual(expected);
    expect(result.effects).toEqual(effects);
  });

  it("never leaves the lock unlocked without a running relock timer", () => {
    const inputs: DoorInput[] = [
      { type: "grant" },
      { type: "exit-request" },
      { type: "door-opened" },
      { type: "door-closed" },
      { type: "timer", timer: "unlock" },
      { type: "timer", timer: "max-open" },
      { type: "timer", timer: "relock" },
    ];
    // Every reachable state, every input, both relock settings: walk all sequences of length 6.
    for (const settings of [S, DELAYED]) {
      const walk = (state: DoorState, running: Set<string>, depth: number) => {
        if (state.lock === "unlocked") expect(running.size).toBeGreaterThan(0);
        if (depth === 0) return;
        for (const input of inputs) {
          if (input.type === "timer" && !running.has(input.timer)) continue; // only running timers fire
          const next = new Set(running);
          if (input.type === "timer") next.delete(input.timer);
          const r = step(state, input, settings);
          for (const e of r.effects) {
            if (e.type === "start-timer") next.add(e.timer);
            if (e.type === "cancel-timer") next.delete(e.timer);
          }
          walk(r.state, next, depth - 1);
        }
      };
      walk(locked(), new Set(), 6);
      walk(locked("open"), new Set(), 6);
    }
  });
});
