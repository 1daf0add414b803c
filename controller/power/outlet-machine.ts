/**
 * One charging outlet as a pure machine: `step(state, input, limits) → {state, effects}`.
 * The relay is on exactly when the state is `charging`; the runner drives it from the state after
 * every step, so no path can leave power on that the state does not allow.
 *
 * Safety outranks every other source of control: a fault quarantines the outlet (only a
 * technician's `clear` lifts it), a station-wide cut holds it off, and while either holds, a
 * start from a session, a command or the schedule is refused.
 */
export interface OutletLimits {
  readonly maxCurrentA: number;
  readonly maxPowerW: number;
  readonly maxTempC: number;
  /** charge complete: power below this ... */
  readonly completeBelowW: number;
  /** ... for this long */
  readonly completeAfterMs: number;
  readonly maxSessionMs: number;
}

export const FAULT_REASONS = ["over-current", "over-power", "over-temperature", "meter-lost"] as const;
export type FaultReason = (typeof FAULT_REASONS)[number];
export type EndReason =
  | "charge-complete"
  | "max-time"
  | "stopped"
  | "station-safety"
  | "schedule"
  | FaultReason;
/** who asks for power: a person's session, a remote or local command, the opening schedule */
export type ControlSource = "session" | "command" | "schedule" | "tap";
export type RefusalReason =
  | "quarantined"
  | "station-safety"
  | "outside-schedule"
  | "busy"
  | "not-charging"
  | "meter-lost";

export interface Session {
  readonly credential: string;
  readonly personId?: string;
  readonly source: ControlSource;
  readonly startedAtMs: number;
  /** the meter's counter at the first reading of the session */
  readonly startEnergyWh?: number;
  readonly energyWh: number;
  readonly lowSinceMs?: number;
}

export interface OutletState {
  readonly mode: "idle" | "charging" | "quarantined";
  readonly session?: Session;
  readonly quarantine?: { readonly reason: FaultReason; readonly atMs: number; readonly detail: string };
  readonly stationCut: boolean;
  readonly scheduleOff: boolean;
  /** an idle outlet whose meter does not answer: no session starts until it does */
  readonly meterLost?: boolean;
}

export const IDLE: OutletState = { mode: "idle", stationCut: false, scheduleOff: false };

export interface Reading {
  readonly currentA: number;
  readonly powerW: number;
  readonly energyWh: number;
  readonly tempC?: number;
}

export type OutletInput =
  | {
      readonly type: "start";
      readonly credential: string;
      readonly personId?: string;
      readonly source: ControlSource;
      readonly atMs: number;
    }
  | { readonly type: "stop"; readonly source: ControlSource; readonly atMs: number }
  | ({ readonly type: "reading"; readonly atMs: number } & Reading)
  | { readonly type: "meter-lost"; readonly atMs: number; readonly detail: string }
  | { readonly type: "temperature"; readonly tempC: number; readonly atMs: number }
  | { readonly type: "tick"; readonly atMs: number }
  | { readonly type: "station-cut"; readonly active: boolean; readonly atMs: number }
  | { readonly type: "schedule"; readonly allowed: boolean; readonly atMs: number }
  | { readonly type: "clear"; readonly atMs: number };

export type OutletEffect =
  | { readonly type: "started"; readonly session: Session }
  | {
      readonly type: "ended";
      readonly reason: EndReason;
      readonly session: Session;
      readonly durationMs: number;
    }
  | { readonly type: "quarantined"; readonly reason: FaultReason; readonly detail: string }
  | { readonly type: "cleared" }
  | { readonly type: "refused"; readonly reason: RefusalReason; readonly source: ControlSource };

export interface Step {
  readonly state: OutletState;
  readonly effects: readonly OutletEffect[];
}

export function relayOn(state: OutletState): boolean {
  return state.mode === "charging" && !state.stationCut && !state.quarantine;
}

function end(state: OutletState, reason: EndReason, atMs: number, mode: OutletState["mode"] = "idle"): Step {
  const { session, ...rest } = state;
  if (!session)
    return { state: { ...rest, mode: state.mode === "quarantined" ? "quarantined" : mode }, effects: [] };
  return {
    state: { ...rest, mode },
    effects: [{ type: "ended", reason, session, durationMs: atMs - session.startedAtMs }],
  };
}

function fault(state: OutletState, reason: FaultReason, detail: string, atMs: number): Step {
  if (state.quarantine) return { state, effects: [] };
  const ended = end(state, reason, atMs, "quarantined");
  return {
    state: { ...ended.state, quarantine: { reason, atMs, detail } },
    effects: [...ended.effects, { type: "quarantined", reason, detail }],
  };
}

/** The first limit a reading breaks, if any (checked whatever the outlet's mode). */
export function breach(r: Reading, l: OutletLimits): { reason: FaultReason; detail: string } | undefined {
  if (r.currentA > l.maxCurrentA)
    return { reason: "over-current", detail: `${r.currentA.toFixed(2)} A > ${l.maxCurrentA} A` };
  if (r.powerW > l.maxPowerW)
    return { reason: "over-power", detail: `${r.powerW.toFixed(1)} W > ${l.maxPowerW} W` };
  if (r.tempC !== undefined && r.tempC > l.maxTempC)
    return { reason: "over-temperature", detail: `${r.tempC.toFixed(1)} °C > ${l.maxTempC} °C` };
  return undefined;
}

export function step(state: OutletState, input: OutletInput, limits: OutletLimits): Step {
  switch (input.type) {
    case "start": {
      const refuse = (reason: RefusalReason): Step => ({
        state,
        effects: [{ type: "refused", reason, source: input.source }],
      });
      if (state.quarantine) return refuse("quarantined");
      if (state.stationCut) return refuse("station-safety");
      if (state.scheduleOff) return refuse("outside-schedule");
      if (state.meterLost) return refuse("meter-lost");
      if (state.mode === "charging") return refuse("busy");
      const session: Session = {
        credential: input.credential,
        ...(input.personId ? { personId: input.personId } : {}),
        source: input.source,
        startedAtMs: input.atMs,
        energyWh: 0,
      };
      return { state: { ...state, mode: "charging", session }, effects: [{ type: "started", session }] };
    }
    case "stop":
      if (state.mode !== "charging")
        return { state, effects: [{ type: "refused", reason: "not-charging", source: input.source }] };
      return end(state, "stopped", input.atMs);
    case "reading": {
      const b = breach(input, limits);
      if (b) return fault(state, b.reason, b.detail, input.atMs);
      if (state.meterLost) {
        const { meterLost: _m, ...back } = state;
        return step(back, input, limits);
      }
      const s = state.session;
      if (state.mode !== "charging" || !s) return { state, effects: [] };
      const startEnergyWh = s.startEnergyWh ?? input.energyWh;
      const low = input.powerW < limits.completeBelowW;
      const lowSinceMs = low ? (s.lowSinceMs ?? input.atMs) : undefined;
      const { lowSinceMs: _previous, ...rest } = s;
      const session: Session = {
        ...rest,
        startEnergyWh,
        energyWh: Math.max(0, input.energyWh - startEnergyWh),
        ...(lowSinceMs !== undefined ? { lowSinceMs } : {}),
      };
      const next = { ...state, session };
      if (lowSinceMs !== undefined && input.atMs - lowSinceMs >= limits.completeAfterMs)
        return end(next, "charge-complete", input.atMs);
      return timeLimit(next, input.atMs, limits);
    }
    case "meter-lost":
      // Without a meter nobody sees the current: a charging outlet is cut and stays off until a
      // technician looks; an idle one only refuses to start until its meter answers again.
      if (state.mode === "charging") return fault(state, "meter-lost", input.detail, input.atMs);
      return state.meterLost ? { state, effects: [] } : { state: { ...state, meterLost: true }, effects: [] };
    case "temperature":
      if (input.tempC > limits.maxTempC)
        return fault(
          state,
          "over-temperature",
          `${input.tempC.toFixed(1)} °C > ${limits.maxTempC} °C`,
          input.atMs,
        );
      return { state, effects: [] };
    case "tick":
      return timeLimit(state, input.atMs, limits);
    case "station-cut": {
      if (!input.active) return { state: { ...state, stationCut: false }, effects: [] };
      const ended =
        state.mode === "charging" ? end(state, "station-safety", input.atMs) : { state, effects: [] };
      return { state: { ...ended.state, stationCut: true }, effects: ended.effects };
    }
    case "schedule": {
      if (input.allowed) return { state: { ...state, scheduleOff: false }, effects: [] };
      const ended = state.mode === "charging" ? end(state, "schedule", input.atMs) : { state, effects: [] };
      return { state: { ...ended.state, scheduleOff: true }, effects: ended.effects };
    }
    case "clear": {
      if (!state.quarantine) return { state, effects: [] };
      const { quarantine: _q, ...rest } = state;
      return { state: { ...rest, mode: "idle" }, effects: [{ type: "cleared" }] };
    }
  }
}

function timeLimit(state: OutletState, atMs: number, limits: OutletLimits): Step {
  const s = state.session;
  if (state.mode === "charging" && s && atMs - s.startedAtMs >= limits.maxSessionMs)
    return end(state, "max-time", atMs);
  return { state, effects: [] };
}
