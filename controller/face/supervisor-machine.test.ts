import { describe, expect, it } from "vitest";
import {
  INITIAL_SUPERVISOR,
  type SupervisorEffect,
  type SupervisorEvent,
  type SupervisorState,
  supervise,
} from "./supervisor-machine.ts";

const t = { initialMs: 500, maxMs: 4000, stableMs: 60_000 };
const up: SupervisorState = { phase: "up", failures: 0, restarts: 0 };

interface Row {
  name: string;
  state: SupervisorState;
  event: SupervisorEvent;
  expected: { state: SupervisorState; effects: SupervisorEffect[] };
}

/** A failure row: one failure more, the process killed if it hung, down, and a wait of `ms`. */
function failure(name: string, state: SupervisorState, detail: string, ms: number, hung = false): Row {
  return {
    name,
    state,
    event: { type: "failed", detail, ...(hung ? { hung } : {}) },
    expected: {
      state: { phase: "backoff", failures: state.failures + 1, restarts: state.restarts, lastError: detail },
      effects: [
        { type: "cancel-timers" },
        ...(hung ? [{ type: "kill" } as const] : []),
        { type: "down", detail, retryInMs: ms },
        { type: "wait", ms },
      ],
    },
  };
}

const rows: Row[] = [
  {
    name: "start spawns",
    state: INITIAL_SUPERVISOR,
    event: { type: "start" },
    expected: { state: { ...INITIAL_SUPERVISOR, phase: "starting" }, effects: [{ type: "spawn" }] },
  },
  {
    name: "ready is up, and starts the stability clock",
    state: { phase: "starting", failures: 2, restarts: 2, lastError: "x" },
    event: { type: "ready" },
    expected: {
      state: { phase: "up", failures: 2, restarts: 2, lastError: undefined },
      effects: [{ type: "up" }, { type: "wait-stable", ms: 60_000 }],
    },
  },
  failure("a death while up backs off by the initial delay", up, "exited (SIGKILL)", 500),
  failure("a hang is killed first", up, "no answer", 500, true),
  failure(
    "the third failure in a row waits 4x, capped at max",
    { phase: "starting", failures: 2, restarts: 2 },
    "load failed",
    2000,
  ),
  failure("the cap holds", { phase: "up", failures: 9, restarts: 9 }, "x", 4000),
  {
    name: "the backoff elapsed: spawn again, one restart more",
    state: { phase: "backoff", failures: 1, restarts: 0 },
    event: { type: "backoff-elapsed" },
    expected: { state: { phase: "starting", failures: 1, restarts: 1 }, effects: [{ type: "spawn" }] },
  },
  {
    name: "a stable run forgives past failures",
    state: { ...up, failures: 3 },
    event: { type: "stable" },
    expected: { state: { ...up, failures: 0 }, effects: [] },
  },
  {
    name: "stop kills",
    state: up,
    event: { type: "stop" },
    expected: { state: { ...up, phase: "stopped" }, effects: [{ type: "cancel-timers" }, { type: "kill" }] },
  },
  {
    name: "an exit after stop is not a failure",
    state: { ...up, phase: "stopped" },
    event: { type: "failed", detail: "exited" },
    expected: { state: { ...up, phase: "stopped" }, effects: [] },
  },
  {
    name: "a late ready after a failure is ignored",
    state: { phase: "backoff", failures: 1, restarts: 0 },
    event: { type: "ready" },
    expected: { state: { phase: "backoff", failures: 1, restarts: 0 }, effects: [] },
  },
];

describe("face process supervisor", () => {
  it.each(rows)("$name", ({ state, event, expected }) => {
    expect(supervise(state, event, t)).toEqual(expected);
  });
});
