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

const rows: {
  name: string;
  state: SupervisorState;
  event: SupervisorEvent;
  expected: { state: SupervisorState; effects: SupervisorEffect[] };
}[] = [
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
  {
    name: "a death while up backs off by the initial delay",
    state: up,
    event: { type: "failed", detail: "exited (SIGKILL)" },
    expected: {
      state: { phase: "backoff", failures: 1, restarts: 0, lastError: "exited (SIGKILL)" },
      effects: [
        { type: "cancel-timers" },
        { type: "down", detail: "exited (SIGKILL)", retryInMs: 500 },
        { type: "wait", ms: 500 },
      ],
    },
  },
  {
    name: "a hang is killed first",
    state: up,
    event: { type: "failed", detail: "no answer", hung: true },
    expected: {
      state: { phase: "backoff", failures: 1, restarts: 0, lastError: "no answer" },
      effects: [
        { type: "cancel-timers" },
        { type: "kill" },
        { type: "down", detail: "no answer", retryInMs: 500 },
        { type: "wait", ms: 500 },
      ],
    },
  },
  {
    name: "the third failure in a row waits 4x, capped at max",
    state: { phase: "starting", failures: 2, restarts: 2 },
    event: { type: "failed", detail: "load failed" },
    expected: {
      state: { phase: "backoff", failures: 3, restarts: 2, lastError: "load failed" },
      effects: [
        { type: "cancel-timers" },
        { type: "down", detail: "load failed", retryInMs: 2000 },
        { type: "wait", ms: 2000 },
      ],
    },
  },
  {
    name: "the cap holds",
    state: { phase: "up", failures: 9, restarts: 9 },
    event: { type: "failed", detail: "x" },
    expected: {
      state: { phase: "backoff", failures: 10, restarts: 9, lastError: "x" },
      effects: [
        { type: "cancel-timers" },
        { type: "down", detail: "x", retryInMs: 4000 },
        { type: "wait", ms: 4000 },
      ],
    },
  },
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
