import type { SlotView } from "../../device/cabinet/cabinet-map.ts";

/**
 * A battery swap as a pure machine: an authorised worker → an empty slot opens → their battery
 * goes in and the door closes → the fullest healthy battery's slot opens → it is taken and the
 * door closes → completed. Every step has a timeout and a way out; the state is small and plain
 * so the runner persists it after every step and a restart (a power cut mid-swap) resumes it.
 */
export interface SwapSettings {
  readonly depositMs: number;
  readonly takeMs: number;
  readonly doorOpenMs: number;
  readonly minIssueSocPct: number;
  readonly maxTempC: number;
}

export interface BatteryRef {
  readonly slot: number;
  readonly batteryId: string;
  readonly socPct: number;
}

export interface SwapState {
  readonly step: "idle" | "awaiting-deposit" | "awaiting-take";
  readonly swapId?: string;
  readonly credential?: string;
  readonly personId?: string;
  readonly depositSlot?: number;
  readonly deposited?: BatteryRef;
  readonly issued?: BatteryRef;
  /** monotonic ms the current step began (restarted on resume: monotonic time restarts too) */
  readonly stepSinceMs?: number;
  readonly startedAt?: string;
  readonly doorOpenSinceMs?: number;
  /** warnings already raised in this step, so each is raised once */
  readonly warned?: readonly ("door-left-open" | "wrong-slot")[];
}

export const NO_SWAP: SwapState = { step: "idle" };

export type SwapFailure =
  | "nothing-deposited"
  | "door-left-open"
  | "no-charged-battery"
  | "not-taken"
  | "cancelled";

export type SwapInput =
  | {
      readonly type: "request";
      readonly swapId: string;
      readonly credential: string;
      readonly personId?: string;
      readonly slots: readonly SlotView[];
      readonly quarantined: readonly number[];
      readonly atMs: number;
      readonly at: string;
    }
  | {
      readonly type: "slots";
      readonly slots: readonly SlotView[];
      readonly quarantined: readonly number[];
      readonly atMs: number;
    }
  | { readonly type: "resume"; readonly slots: readonly SlotView[]; readonly atMs: number }
  | { readonly type: "cancel"; readonly atMs: number };

export type SwapEffect =
  | { readonly type: "unlock"; readonly slot: number }
  | { readonly type: "started"; readonly swapId: string; readonly depositSlot: number }
  | { readonly type: "refused"; readonly reason: "busy" | "no-empty-slot" | "no-charged-battery" }
  | { readonly type: "deposited"; readonly swapId: string; readonly battery: BatteryRef }
  | { readonly type: "issuing"; readonly swapId: string; readonly battery: BatteryRef }
  | {
      readonly type: "completed";
      readonly swapId: string;
      readonly deposited: BatteryRef;
      readonly issued: BatteryRef;
      readonly doorLeftOpen: boolean;
    }
  | {
      readonly type: "failed";
      readonly swapId: string;
      readonly reason: SwapFailure;
      readonly step: SwapState["step"];
    }
  | {
      readonly type: "warning";
      readonly swapId: string;
      readonly warning: "door-left-open" | "wrong-slot";
      readonly slot: number;
    }
  | { readonly type: "resumed"; readonly swapId: string; readonly step: SwapState["step"] };

type Step = { state: SwapState; effects: SwapEffect[] };

/** A battery the cabinet may hand out: present, locked in, healthy, cool and full enough. */
export function healthy(s: SlotView, settings: SwapSettings, quarantined: readonly number[]): boolean {
  return (
    s.present &&
    s.doorClosed &&
    s.faults.length === 0 &&
    s.tempC <= settings.maxTempC &&
    s.socPct >= settings.minIssueSocPct &&
    !quarantined.includes(s.slot)
  );
}

export function fullest(
  slots: readonly SlotView[],
  settings: SwapSettings,
  quarantined: readonly number[],
  except?: number,
) {
  let best: SlotView | undefined;
  for (const s of slots)
    if (s.slot !== except && healthy(s, settings, quarantined) && (!best || s.socPct > best.socPct)) best = s;
  return best;
}

function emptySlot(slots: readonly SlotView[], quarantined: readonly number[]): SlotView | undefined {
  return slots.find(
    (s) => !s.present && s.doorClosed && s.faults.length === 0 && !quarantined.includes(s.slot),
  );
}

const ref = (s: SlotView): BatteryRef => ({ slot: s.slot, batteryId: s.batteryId, socPct: s.socPct });

function fail(state: SwapState, reason: SwapFailure): Step {
  return {
    state: NO_SWAP,
    effects: [{ type: "failed", swapId: state.swapId ?? "", reason, step: state.step }],
  };
}

function warnOnce(
  state: SwapState,
  warning: "door-left-open" | "wrong-slot",
  slot: number,
  fx: SwapEffect[],
): SwapState {
  if (state.warned?.includes(warning)) return state;
  fx.push({ type: "warning", swapId: state.swapId ?? "", warning, slot });
  return { ...state, warned: [...(state.warned ?? []), warning] };
}

/** Door-open bookkeeping for the slot the worker is using, and any other slot found open. */
function watchDoors(
  state: SwapState,
  mine: SlotView,
  slots: readonly SlotView[],
  atMs: number,
  s: SwapSettings,
  fx: SwapEffect[],
): SwapState {
  let next = state;
  if (!mine.doorClosed) {
    const since = next.doorOpenSinceMs ?? atMs;
    next = { ...next, doorOpenSinceMs: since };
    if (atMs - since >= s.doorOpenMs) next = warnOnce(next, "door-left-open", mine.slot, fx);
  } else if (next.doorOpenSinceMs !== undefined) {
    const { doorOpenSinceMs: _d, ...rest } = next;
    next = rest;
  }
  const other = slots.find((x) => x.slot !== mine.slot && !x.doorClosed);
  if (other) next = warnOnce(next, "wrong-slot", other.slot, fx);
  return next;
}

export function swapStep(state: SwapState, input: SwapInput, s: SwapSettings): Step {
  switch (input.type) {
    case "request": {
      if (state.step !== "idle") return { state, effects: [{ type: "refused", reason: "busy" }] };
      const empty = emptySlot(input.slots, input.quarantined);
      if (!empty) return { state, effects: [{ type: "refused", reason: "no-empty-slot" }] };
      if (!fullest(input.slots, s, input.quarantined))
        return { state, effects: [{ type: "refused", reason: "no-charged-battery" }] };
      return {
        state: {
          step: "awaiting-deposit",
          swapId: input.swapId,
          credential: input.credential,
          ...(input.personId ? { personId: input.personId } : {}),
          depositSlot: empty.slot,
          stepSinceMs: input.atMs,
          startedAt: input.at,
        },
        effects: [
          { type: "unlock", slot: empty.slot },
          { type: "started", swapId: input.swapId, depositSlot: empty.slot },
        ],
      };
    }
    case "cancel":
      return state.step === "idle" ? { state, effects: [] } : fail(state, "cancelled");
    case "resume": {
      if (state.step === "idle") return { state, effects: [] };
      // Monotonic time restarted with the process: the step's clock starts again now.
      const next: SwapState = { ...state, stepSinceMs: input.atMs };
      const { doorOpenSinceMs: _d, ...resumed } = next;
      const fx: SwapEffect[] = [{ type: "resumed", swapId: state.swapId ?? "", step: state.step }];
      // A cabinet that lost power relocked its doors: open the worker's slot again if needed.
      const slot = state.step === "awaiting-deposit" ? state.depositSlot : state.issued?.slot;
      const view = input.slots.find((v) => v.slot === slot);
      const stillToDo = state.step === "awaiting-deposit" ? !view?.present : view?.present;
      if (slot !== undefined && view?.doorClosed && stillToDo) fx.unshift({ type: "unlock", slot });
      return { state: resumed, effects: fx };
    }
    case "slots":
      if (state.step === "awaiting-deposit") return deposit(state, input, s);
      if (state.step === "awaiting-take") return take(state, input, s);
      return { state, effects: [] };
  }
}

function deposit(state: SwapState, input: Extract<SwapInput, { type: "slots" }>, s: SwapSettings): Step {
  const mine = input.slots.find((v) => v.slot === state.depositSlot);
  if (!mine) return { state, effects: [] };
  const fx: SwapEffect[] = [];
  if (mine.present && mine.doorClosed) {
    const deposited = ref(mine);
    fx.push({ type: "deposited", swapId: state.swapId ?? "", battery: deposited });
    const best = fullest(input.slots, s, input.quarantined, mine.slot);
    if (!best) {
      // Nothing to hand out any more: give the worker their own battery back.
      fx.push({ type: "unlock", slot: mine.slot });
      return { state: NO_SWAP, effects: [...fx, ...fail(state, "no-charged-battery").effects] };
    }
    const issued = ref(best);
    fx.push(
      { type: "unlock", slot: best.slot },
      { type: "issuing", swapId: state.swapId ?? "", battery: issued },
    );
    const { doorOpenSinceMs: _d, warned: _w, ...rest } = state;
    return {
      state: { ...rest, step: "awaiting-take", deposited, issued, stepSinceMs: input.atMs },
      effects: fx,
    };
  }
  const next = watchDoors(state, mine, input.slots, input.atMs, s, fx);
  if (input.atMs - (state.stepSinceMs ?? input.atMs) >= s.depositMs) {
    const f = fail(next, mine.doorClosed ? "nothing-deposited" : "door-left-open");
    return { state: f.state, effects: [...fx, ...f.effects] };
  }
  return { state: next, effects: fx };
}

function take(state: SwapState, input: Extract<SwapInput, { type: "slots" }>, s: SwapSettings): Step {
  const issuedSlot = state.issued?.slot;
  const mine = input.slots.find((v) => v.slot === issuedSlot);
  if (!mine || !state.issued || !state.deposited) return { state, effects: [] };
  const fx: SwapEffect[] = [];
  const timedOut = input.atMs - (state.stepSinceMs ?? input.atMs) >= s.takeMs;
  if (!mine.present && (mine.doorClosed || timedOut)) {
    fx.push({
      type: "completed",
      swapId: state.swapId ?? "",
      deposited: state.deposited,
      issued: state.issued,
      doorLeftOpen: !mine.doorClosed,
    });
    return { state: NO_SWAP, effects: fx };
  }
  const next = watchDoors(state, mine, input.slots, input.atMs, s, fx);
  if (timedOut) {
    const f = fail(next, "not-taken");
    return { state: f.state, effects: [...fx, ...f.effects] };
  }
  return { state: next, effects: fx };
}
