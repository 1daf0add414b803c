import { describe, expect, it } from "vitest";
import {
  type DoorInput,
  type DoorSettings,
  type DoorState,
  type DoorTimer,
  initialDoorState,
  lockFor,
  step,
} from "./machine.ts";

/**
 * Every input sequence up to a depth, from both initial leaf states, with both fire rules and
 * relock settings: the invariants hold in every state reached.
 */
const INPUTS: DoorInput[] = [
  { type: "grant" },
  { type: "exit-request" },
  { type: "door-opened" },
  { type: "door-closed" },
  { type: "fire", active: true },
  { type: "fire", active: false },
  { type: "fire-reset" },
  { type: "passage", active: true },
  { type: "passage", active: false },
  { type: "force-relock" },
  { type: "timer", timer: "unlock" },
  { type: "timer", timer: "max-open" },
  { type: "timer", timer: "relock" },
  { type: "timer", timer: "held-open" },
  { type: "timer", timer: "forced-grace" },
];

const BASE: DoorSettings = {
  unlockMs: 5000,
  maxOpenMs: 30_000,
  relockDelayMs: 0,
  heldOpenAlarmMs: 20_000,
  forcedOpenGraceMs: 1000,
  fireRevert: "on-input-clear",
};
const TIMER_FOR_HOLD = { window: "unlock", open: "max-open", relocking: "relock" } as const;

/** The broken invariant's name, or undefined. Plain checks: expect() per state is too slow for 10^5 states. */
function broken(s: DoorState, running: ReadonlySet<DoorTimer>): string | undefined {
  if (s.lock !== lockFor(s)) return "lock matches the holds";
  if (s.fire === "active" && s.lock !== "unlocked") return "a fire alarm releases the lock";
  if (s.hold !== "none" && !running.has(TIMER_FOR_HOLD[s.hold])) return "a timed hold has its timer running";
  if (s.hold === "open" && s.leaf !== "open") return "hold open means the leaf is open";
  if ((s.hold === "window" || s.hold === "relocking") && s.leaf !== "closed")
    return "window/relocking means closed";
  if ((s.forced || s.heldOpen) && s.leaf !== "open") return "door alarms only while open";
  return undefined;
}

describe("door machine invariants", () => {
  for (const settings of [
    BASE,
    { ...BASE, relockDelayMs: 800 },
    { ...BASE, fireRevert: "manual-reset" as const, forcedOpenGraceMs: 0 },
  ]) {
    it(`hold for every sequence of 5 inputs (relock ${settings.relockDelayMs} ms, fire ${settings.fireRevert})`, () => {
      let states = 0;
      const failures: string[] = [];
      const walk = (state: DoorState, running: Set<DoorTimer>, depth: number, path: string[]) => {
        const b = broken(state, running);
        if (b && failures.length < 3)
          failures.push(`${b}: after ${path.join(" > ")} -> ${JSON.stringify(state)}`);
        states++;
        if (depth === 0) return;
        for (const input of INPUTS) {
          // Only a running timer can fire.
          if (input.type === "timer" && !running.has(input.timer)) continue;
          const next = new Set(running);
          if (input.type === "timer") next.delete(input.timer);
          const r = step(state, input, settings);
          for (const e of r.effects) {
            if (e.type === "start-timer") next.add(e.timer);
            if (e.type === "cancel-timer") next.delete(e.timer);
          }
          walk(r.state, next, depth - 1, [
            ...path,
            input.type === "timer" ? `timer:${input.timer}` : input.type,
          ]);
        }
      };
      walk(initialDoorState("closed"), new Set(), 5, []);
      walk(initialDoorState("open"), new Set(), 5, ["(open)"]);
      expect(failures).toEqual([]);
      expect(states).toBeGreaterThan(10_000);
    });
  }
});
