/**
 * When the face process runs, dies and comes back: a pure transition function returning effects.
 * Restarts back off exponentially (initial, 2x, 4x ... max); a process that stayed up for
 * `stableMs` is forgiven its past failures.
 */
export type SupervisorPhase = "stopped" | "starting" | "up" | "backoff";

export interface SupervisorState {
  readonly phase: SupervisorPhase;
  /** failures since the last stable run: the next backoff is initial * 2^failures */
  readonly failures: number;
  /** restarts since the station started */
  readonly restarts: number;
  readonly lastError?: string | undefined;
}

export type SupervisorEvent =
  | { readonly type: "start" }
  | { readonly type: "stop" }
  | { readonly type: "ready" }
  | { readonly type: "stable" }
  /** the process exited, failed to load, or stopped answering (then it is killed first) */
  | { readonly type: "failed"; readonly detail: string; readonly hung?: boolean }
  | { readonly type: "backoff-elapsed" };

export type SupervisorEffect =
  | { readonly type: "spawn" }
  | { readonly type: "kill" }
  | { readonly type: "wait"; readonly ms: number }
  | { readonly type: "wait-stable"; readonly ms: number }
  | { readonly type: "cancel-timers" }
  | { readonly type: "up" }
  | { readonly type: "down"; readonly detail: string; readonly retryInMs: number };

export interface SupervisorTiming {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly stableMs: number;
}

export const INITIAL_SUPERVISOR: SupervisorState = { phase: "stopped", failures: 0, restarts: 0 };

export function backoffMs(failures: number, t: SupervisorTiming): number {
  return Math.min(t.maxMs, t.initialMs * 2 ** Math.max(0, failures - 1));
}

export function supervise(
  s: SupervisorState,
  e: SupervisorEvent,
  t: SupervisorTiming,
): { state: SupervisorState; effects: SupervisorEffect[] } {
  switch (e.type) {
    case "start":
      if (s.phase !== "stopped") return { state: s, effects: [] };
      return { state: { ...s, phase: "starting" }, effects: [{ type: "spawn" }] };
    case "stop":
      return {
        state: { ...s, phase: "stopped" },
        effects: s.phase === "stopped" ? [] : [{ type: "cancel-timers" }, { type: "kill" }],
      };
    case "ready":
      if (s.phase !== "starting") return { state: s, effects: [] };
      return {
        state: { ...s, phase: "up", lastError: undefined },
        effects: [{ type: "up" }, { type: "wait-stable", ms: t.stableMs }],
      };
    case "stable":
      return s.phase === "up" ? { state: { ...s, failures: 0 }, effects: [] } : { state: s, effects: [] };
    case "failed": {
      if (s.phase !== "starting" && s.phase !== "up") return { state: s, effects: [] };
      const failures = s.failures + 1;
      const ms = backoffMs(failures, t);
      return {
        state: { phase: "backoff", failures, restarts: s.restarts, lastError: e.detail },
        effects: [
          { type: "cancel-timers" },
          ...(e.hung ? [{ type: "kill" } as const] : []),
          { type: "down", detail: e.detail, retryInMs: ms },
          { type: "wait", ms },
        ],
      };
    }
    case "backoff-elapsed":
      if (s.phase !== "backoff") return { state: s, effects: [] };
      return { state: { ...s, phase: "starting", restarts: s.restarts + 1 }, effects: [{ type: "spawn" }] };
  }
}
