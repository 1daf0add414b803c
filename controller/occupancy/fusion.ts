/**
 * Who is inside, as a pure machine: door grants and exits, the beam counter, the radar and the
 * PIR go in as events; the occupancy figure, sensor health and effects (events to emit, outputs
 * to switch) come out. The runner (occupancy-service.ts) feeds it from the ports and the bus and
 * carries the effects out. Times are monotonic ms; the runner adds wall time for the night window.
 */

import { PIR_WATCH_START, type PirWatch, pirEdge, pirOthersMoved, pirVerdict } from "./pir-watch.ts";

export type SensorName = "radar" | "pir" | "beam";
export type SensorHealth = "good" | "stale" | "suspect" | "offline";
export type Confidence = "high" | "medium" | "low";
export type OutputName = "lights" | "ventilation" | "callLight" | "buzzer";
export type BeamResult = "in" | "out" | "confused";

export interface FusionSettings {
  /** which sensors the station has */
  readonly sensors: readonly SensorName[];
  /** a grant lets one person in within this time (else an entry without one is a tailgate) */
  readonly grantWindowMs: number;
  /** someone present and not moving this long, in the night window: welfare alert */
  readonly welfareMs: number;
  /** nobody present this long: lights and ventilation off */
  readonly emptyOffMs: number;
  /** radar presence, nobody entered, door shut this long: the radar is suspect */
  readonly falsePresenceMs: number;
  /** counted people, the door opened since the radar last saw anyone, and it sees nobody this long: lost exits */
  readonly emptyConfirmMs: number;
  /** the PIR stuck active, or quiet while others see movement, this long: suspect (pir-watch.ts) */
  readonly pirStuckMs?: number;
}

const PIR_STUCK_MS = 15 * 60_000;
const PIR_QUIET_MOVES = 3;

export interface SensorView {
  health: SensorHealth;
  /** why, for a technician */
  detail?: string | undefined;
  /** the fusion's own suspicion (a ghost), not the driver's word: only evidence clears it */
  byFusion?: true;
}

export interface FusionState {
  /** people counted in by beam or door, out by beam or exits */
  counted: number;
  confidence: Confidence;
  lastChangeMs: number;
  /** grants waiting for their person to cross the beam (their times) */
  pendingGrants: number[];
  /** grants and beam entries within the grant window, for the tailgate report */
  recentGrants: number[];
  recentEntries: number[];
  doorOpen: boolean;
  /** when the door last closed (or the machine started) */
  doorClosedSinceMs: number;
  /** when the door last opened: nobody can have left since before then */
  lastDoorOpenMs: number | undefined;
  /** last entry (beam in or grant) */
  lastEntryMs: number | undefined;
  lastMovementMs: number;
  radarPresent: boolean;
  radarPresentSinceMs: number | undefined;
  pirActive: boolean;
  /** the PIR judged against radar and beam; the fault it is suspect of */
  pir: PirWatch;
  pirFault: "stuck-active" | "stuck-quiet" | undefined;
  radarMoving: boolean;
  /** when the radar last reported anyone */
  radarLastPresentMs: number | undefined;
  startedMs: number;
  /** when radar and PIR last saw anyone */
  lastSeenMs: number;
  sensors: Record<SensorName, SensorView>;
  welfare: { active: boolean; sinceMs: number | undefined };
  /** when presence ended, undefined while present */
  emptySinceMs: number | undefined;
  outputsOn: boolean;
  /** presence as last published, to emit changes once */
  lastPresent: boolean;
  lastCount: number;
}

export type FusionEvent =
  | { type: "grant"; atMs: number; direction: "in" | "out" }
  | { type: "door"; atMs: number; open: boolean }
  | { type: "beam"; atMs: number; result: BeamResult }
  | { type: "radar"; atMs: number; present: boolean; moving: boolean }
  | { type: "pir"; atMs: number; active: boolean }
  | { type: "health"; atMs: number; sensor: SensorName; health: SensorHealth; detail?: string | undefined }
  /** `night` is whether the welfare window applies now (the runner computes it from wall time) */
  | { type: "tick"; atMs: number; night: boolean }
  | { type: "welfare-clear"; atMs: number; by: "technician" }
  | { type: "set-count"; atMs: number; count: number };

export type FusionEffect =
  | { type: "tailgate"; grants: number; entered: number }
  | { type: "welfare-alert"; noMovementMs: number }
  | { type: "welfare-cleared"; by: "movement" | "technician" | "left" }
  | { type: "sensor-health"; sensor: SensorName; health: SensorHealth; detail?: string | undefined }
  | { type: "output"; name: OutputName; on: boolean }
  | { type: "occupancy-changed" };

export function initialFusion(s: FusionSettings, nowMs: number): FusionState {
  const sensors = {} as Record<SensorName, SensorView>;
  for (const n of ["radar", "pir", "beam"] as const) {
    sensors[n] = { health: s.sensors.includes(n) ? "good" : "offline" };
  }
  return {
    counted: 0,
    confidence: s.sensors.includes("beam") ? "high" : "medium",
    lastChangeMs: nowMs,
    pendingGrants: [],
    recentGrants: [],
    recentEntries: [],
    doorOpen: false,
    doorClosedSinceMs: nowMs,
    lastDoorOpenMs: undefined,
    lastEntryMs: undefined,
    lastMovementMs: nowMs,
    radarPresent: false,
    radarPresentSinceMs: undefined,
    pirActive: false,
    pir: PIR_WATCH_START,
    pirFault: undefined,
    radarMoving: false,
    radarLastPresentMs: undefined,
    startedMs: nowMs,
    lastSeenMs: nowMs,
    sensors,
    welfare: { active: false, sinceMs: undefined },
    emptySinceMs: nowMs,
    // Unknown at boot: the first tick switches them to match presence.
    outputsOn: true,
    lastPresent: false,
    lastCount: 0,
  };
}

const has = (s: FusionSettings, n: SensorName) => s.sensors.includes(n);
const trusted = (st: FusionState, s: FusionSettings, n: SensorName) =>
  has(s, n) && st.sensors[n].health === "good";

/** Whether anyone is inside, by the count or by a sensor we trust. */
export function present(st: FusionState, s: FusionSettings): boolean {
  return (
    st.counted > 0 || (trusted(st, s, "radar") && st.radarPresent) || (trusted(st, s, "pir") && st.pirActive)
  );
}

/** The count as published: at least one while a trusted sensor sees someone. */
export function figureCount(st: FusionState, s: FusionSettings): number {
  return Math.max(st.counted, present(st, s) ? 1 : 0);
}

/** Which sources the figure rests on now. */
export function figureSources(st: FusionState, s: FusionSettings): string[] {
  const out = ["door"];
  for (const n of ["beam", "radar", "pir"] as const) if (trusted(st, s, n)) out.push(n);
  return out;
}

export function step(
  prev: FusionState,
  e: FusionEvent,
  s: FusionSettings,
): { state: FusionState; effects: FusionEffect[] } {
  const st: FusionState = {
    ...prev,
    pendingGrants: prev.pendingGrants.filter((t) => e.atMs - t < s.grantWindowMs),
    recentGrants: prev.recentGrants.filter((t) => e.atMs - t < s.grantWindowMs),
    recentEntries: prev.recentEntries.filter((t) => e.atMs - t < s.grantWindowMs),
    sensors: { ...prev.sensors },
    welfare: { ...prev.welfare },
  };
  const fx: FusionEffect[] = [];
  const movement = () => {
    st.lastMovementMs = e.atMs;
    if (st.welfare.active) {
      st.welfare = { active: false, sinceMs: undefined };
      fx.push({ type: "welfare-cleared", by: "movement" }, ...alertOutputs(false));
    }
  };
  const setCount = (n: number, confidence: Confidence) => {
    st.counted = Math.max(0, n);
    st.confidence = confidence;
  };

  switch (e.type) {
    case "grant":
      if (e.direction === "in") {
        st.pendingGrants = [...st.pendingGrants, e.atMs];
        st.recentGrants = [...st.recentGrants, e.atMs];
        st.lastEntryMs = e.atMs;
        // Without a beam, a granted entry is the count.
        if (!trusted(st, s, "beam")) setCount(st.counted + 1, "medium");
      } else if (!trusted(st, s, "beam")) {
        setCount(st.counted - 1, "medium");
      }
      movement();
      break;
    case "door":
      st.doorOpen = e.open;
      if (e.open) st.lastDoorOpenMs = e.atMs;
      else st.doorClosedSinceMs = e.atMs;
      movement();
      break;
    case "beam":
      movement();
      if (e.result === "confused") {
        // An explicit "do not know" beats a wrong count: keep the number, say we are unsure.
        st.confidence = "low";
        break;
      }
      st.pir = pirOthersMoved(st.pir, e.atMs, st.pirActive);
      if (e.result === "in") {
        st.lastEntryMs = e.atMs;
        st.recentEntries = [...st.recentEntries, e.atMs];
        if (st.pendingGrants.length > 0) {
          st.pendingGrants = st.pendingGrants.slice(1);
          // The door-only count already added this person at the grant.
          setCount(trusted(st, s, "beam") ? st.counted + 1 : st.counted, st.confidence);
        } else {
          setCount(st.counted + 1, st.confidence);
          fx.push({ type: "tailgate", grants: st.recentGrants.length, entered: st.recentEntries.length });
        }
      } else {
        setCount(st.counted - 1, st.confidence);
      }
      break;
    case "radar":
      if (e.present && !st.radarPresent) st.radarPresentSinceMs = e.atMs;
      if (!e.present) st.radarPresentSinceMs = undefined;
      st.radarPresent = e.present;
      if (e.present) {
        st.lastSeenMs = e.atMs;
        st.radarLastPresentMs = e.atMs;
      }
      if (e.moving && !st.radarMoving && trusted(st, s, "radar"))
        st.pir = pirOthersMoved(st.pir, e.atMs, st.pirActive);
      st.radarMoving = e.moving;
      // A suspect radar that reports nobody has stopped lying: trust it again.
      if (!e.present && st.sensors.radar.health === "suspect") {
        st.sensors.radar = { health: "good" };
        fx.push({ type: "sensor-health", sensor: "radar", health: "good", detail: "reports nobody again" });
      }
      if (e.moving && trusted(st, s, "radar")) movement();
      break;
    case "pir":
      st.pirActive = e.active;
      st.pir = pirEdge(st.pir, e.active, e.atMs);
      // A suspect PIR is trusted again when it does the opposite of its fault.
      if (
        st.sensors.pir.health === "suspect" &&
        ((st.pirFault === "stuck-active" && !e.active) || (st.pirFault === "stuck-quiet" && e.active))
      ) {
        const detail = e.active ? "sees motion again" : "reads clear again";
        st.sensors.pir = { health: "good" };
        st.pirFault = undefined;
        fx.push({ type: "sensor-health", sensor: "pir", health: "good", detail });
      }
      if (e.active) {
        st.lastSeenMs = e.atMs;
        if (trusted(st, s, "pir")) movement();
      }
      break;
    case "health": {
      const before = st.sensors[e.sensor];
      // A radar the fusion marked suspect (a ghost) stays suspect until it proves itself, unless it
      // is gone; one the driver called suspect (latched energies) is good again on the driver's
      // word, once a restart has cured it. The beam's suspicion is its counter's own: likewise.
      if (e.sensor === "radar" && before.byFusion && e.health === "good") break;
      if (before.health !== e.health || before.detail !== e.detail) {
        st.sensors[e.sensor] = { health: e.health, detail: e.detail };
        if (before.health !== e.health)
          fx.push({ type: "sensor-health", sensor: e.sensor, health: e.health, detail: e.detail });
      }
      break;
    }
    case "welfare-clear":
      if (st.welfare.active) {
        st.welfare = { active: false, sinceMs: undefined };
        st.lastMovementMs = e.atMs;
        fx.push({ type: "welfare-cleared", by: "technician" }, ...alertOutputs(false));
      }
      break;
    case "set-count":
      setCount(e.count, "high");
      break;
    case "tick":
      tick(st, e.atMs, e.night, s, fx);
      break;
  }

  settle(st, e.atMs, s, fx);
  return { state: st, effects: fx };
}

function tick(st: FusionState, now: number, night: boolean, s: FusionSettings, fx: FusionEffect[]): void {
  // Ghost: the radar sees someone although nobody is counted in and the door has been shut for long.
  if (
    trusted(st, s, "radar") &&
    st.radarPresent &&
    st.counted === 0 &&
    !st.doorOpen &&
    now - st.doorClosedSinceMs >= s.falsePresenceMs &&
    (st.radarPresentSinceMs ?? now) <= now - s.falsePresenceMs &&
    !(trusted(st, s, "pir") && st.pirActive)
  ) {
    const detail = "presence with nobody counted in and the door shut";
    st.sensors.radar = { health: "suspect", detail, byFusion: true };
    fx.push({ type: "sensor-health", sensor: "radar", health: "suspect", detail });
  }
  if (trusted(st, s, "pir")) {
    const verdict = pirVerdict(
      st.pir,
      {
        nowMs: now,
        radar: trusted(st, s, "radar"),
        radarLastPresentMs: st.radarLastPresentMs,
        radarPresent: st.radarPresent,
        beam: trusted(st, s, "beam"),
        counted: st.counted,
        doorOpen: st.doorOpen,
        doorClosedSinceMs: st.doorClosedSinceMs,
        startedMs: st.startedMs,
      },
      { stuckMs: s.pirStuckMs ?? PIR_STUCK_MS, quietMoves: PIR_QUIET_MOVES },
    );
    if (verdict) {
      st.sensors.pir = { health: "suspect", detail: verdict.detail };
      st.pirFault = verdict.fault;
      fx.push({ type: "sensor-health", sensor: "pir", health: "suspect", detail: verdict.detail });
    }
  }
  // Lost exits: someone left uncounted (behind another person, through a dead exit reader). Only
  // the radar can say nobody is there (a PIR misses a still person), and only a door that opened
  // after the radar last saw anyone can have let them out: a person who collapsed behind a shut
  // door is never counted away, even when the radar loses them.
  if (
    st.counted > 0 &&
    trusted(st, s, "radar") &&
    !st.radarPresent &&
    !st.doorOpen &&
    st.lastDoorOpenMs !== undefined &&
    st.lastDoorOpenMs > st.lastSeenMs &&
    now - Math.max(st.lastSeenMs, st.doorClosedSinceMs) >= s.emptyConfirmMs
  ) {
    st.counted = 0;
    st.confidence = "medium";
  }
  // Welfare: someone inside, nothing has moved for long, at night.
  if (!st.welfare.active && night && present(st, s) && now - st.lastMovementMs >= s.welfareMs) {
    st.welfare = { active: true, sinceMs: now };
    fx.push({ type: "welfare-alert", noMovementMs: now - st.lastMovementMs }, ...alertOutputs(true));
  }
  if (st.emptySinceMs !== undefined && st.outputsOn && now - st.emptySinceMs >= s.emptyOffMs) {
    st.outputsOn = false;
    fx.push(
      { type: "output", name: "lights", on: false },
      { type: "output", name: "ventilation", on: false },
    );
  }
}

/** After every event: presence edges drive the outputs, the welfare exit and the change event. */
function settle(st: FusionState, now: number, s: FusionSettings, fx: FusionEffect[]): void {
  const p = present(st, s);
  if (p) {
    st.emptySinceMs = undefined;
    if (!st.outputsOn) {
      st.outputsOn = true;
      fx.push(
        { type: "output", name: "lights", on: true },
        { type: "output", name: "ventilation", on: true },
      );
    }
  } else {
    st.emptySinceMs ??= now;
    if (st.welfare.active) {
      st.welfare = { active: false, sinceMs: undefined };
      fx.push({ type: "welfare-cleared", by: "left" }, ...alertOutputs(false));
    }
  }
  const count = figureCount(st, s);
  if (p !== st.lastPresent || count !== st.lastCount) {
    st.lastPresent = p;
    st.lastCount = count;
    st.lastChangeMs = now;
    fx.push({ type: "occupancy-changed" });
  }
}

const alertOutputs = (on: boolean): FusionEffect[] => [
  { type: "output", name: "callLight", on },
  { type: "output", name: "buzzer", on },
];
