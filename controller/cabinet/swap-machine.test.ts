import { describe, expect, it } from "vitest";
import type { SlotView } from "../../device/cabinet/cabinet-map.ts";
import { NO_SWAP, type SwapInput, type SwapSettings, type SwapState, swapStep } from "./swap-machine.ts";

const S: SwapSettings = {
  depositMs: 90_000,
  takeMs: 90_000,
  doorOpenMs: 60_000,
  minIssueSocPct: 80,
  maxTempC: 55,
};
const slot = (n: number, v: Partial<SlotView> = {}): SlotView => ({
  slot: n,
  doorClosed: true,
  doorLocked: true,
  present: true,
  charging: false,
  faults: [],
  batteryId: `B0000000${n}`,
  socPct: 90,
  voltageV: 52,
  tempC: 25,
  ...v,
});
// slot 1 empty, 2 at 95 %, 3 at 99 % but faulty, 4 at 97 %, 5 at 60 %
const CABINET = [
  slot(1, { present: false, batteryId: "" }),
  slot(2, { socPct: 95 }),
  slot(3, { socPct: 99, faults: ["cell-imbalance"] }),
  slot(4, { socPct: 97 }),
  slot(5, { socPct: 60 }),
];
const change = (slots: SlotView[], n: number, v: Partial<SlotView>) =>
  slots.map((s) => (s.slot === n ? { ...s, ...v } : s));
const request = (slots = CABINET, quarantined: number[] = []): SwapInput => ({
  type: "request",
  swapId: "s1",
  credential: "c".repeat(64),
  personId: "p1",
  slots,
  quarantined,
  atMs: 0,
  at: "2026-01-01T00:00:00Z",
});
const poll = (slots: SlotView[], atMs: number, quarantined: number[] = []): SwapInput => ({
  type: "slots",
  slots,
  quarantined,
  atMs,
});

function run(inputs: SwapInput[], from: SwapState = NO_SWAP) {
  let state = from;
  const fx: string[] = [];
  for (const i of inputs) {
    const r = swapStep(state, i, S);
    state = r.state;
    for (const e of r.effects) {
      if (e.type === "unlock") fx.push(`unlock:${e.slot}`);
      else if (e.type === "refused" || e.type === "failed") fx.push(`${e.type}:${e.reason}`);
      else if (e.type === "warning") fx.push(`warning:${e.warning}:${e.slot}`);
      else if (e.type === "completed")
        fx.push(
          `completed:${e.deposited.batteryId}->${e.issued.batteryId}${e.doorLeftOpen ? ":door-open" : ""}`,
        );
      else fx.push(e.type);
    }
  }
  return { state, fx };
}

// the worker's steps on the cabinet
const opened1 = change(CABINET, 1, { doorClosed: false, doorLocked: false });
const deposited1 = change(CABINET, 1, { present: true, batteryId: "B00000099", socPct: 12 });
const opened4 = change(deposited1, 4, { doorClosed: false, doorLocked: false });
const taken4 = change(opened4, 4, { present: false, batteryId: "" });
const closed4 = change(taken4, 4, { doorClosed: true, doorLocked: true });

describe("battery swap machine", () => {
  it.each<{ name: string; inputs: SwapInput[]; step: SwapState["step"]; fx: string[] }>([
    {
      name: "the whole swap: the fullest healthy battery (not the faulty fuller one) is issued",
      inputs: [
        request(),
        poll(opened1, 5_000),
        poll(deposited1, 10_000),
        poll(opened4, 12_000),
        poll(taken4, 13_000),
        poll(closed4, 14_000),
      ],
      step: "idle",
      fx: ["unlock:1", "started", "deposited", "unlock:4", "issuing", "completed:B00000099->B00000004"],
    },
    {
      name: "busy",
      inputs: [request(), request()],
      step: "awaiting-deposit",
      fx: ["unlock:1", "started", "refused:busy"],
    },
    {
      name: "no empty slot",
      inputs: [request(change(CABINET, 1, { present: true }))],
      step: "idle",
      fx: ["refused:no-empty-slot"],
    },
    {
      name: "no charged healthy battery",
      inputs: [request(CABINET.map((s) => ({ ...s, socPct: Math.min(s.socPct, 70) })))],
      step: "idle",
      fx: ["refused:no-charged-battery"],
    },
    {
      name: "a quarantined slot is neither filled nor issued",
      inputs: [request(CABINET, [1])],
      step: "idle",
      fx: ["refused:no-empty-slot"],
    },
    {
      name: "nothing deposited: the swap ends at the timeout",
      inputs: [request(), poll(CABINET, 89_000), poll(CABINET, 90_000)],
      step: "idle",
      fx: ["unlock:1", "started", "failed:nothing-deposited"],
    },
    {
      name: "the door left open: a warning, then the swap fails at the timeout",
      inputs: [
        request(),
        poll(opened1, 1_000),
        poll(opened1, 61_000),
        poll(opened1, 70_000),
        poll(opened1, 90_000),
      ],
      step: "idle",
      fx: ["unlock:1", "started", "warning:door-left-open:1", "failed:door-left-open"],
    },
    {
      name: "another slot's door open (the wrong slot) is reported once",
      inputs: [
        request(),
        poll(change(CABINET, 2, { doorClosed: false }), 1_000),
        poll(change(CABINET, 2, { doorClosed: false }), 2_000),
      ],
      step: "awaiting-deposit",
      fx: ["unlock:1", "started", "warning:wrong-slot:2"],
    },
    {
      name: "the battery to issue became unavailable: the worker gets their own back",
      inputs: [
        request(),
        poll(change(change(deposited1, 2, { socPct: 10 }), 4, { faults: ["bms-lost"] }), 5_000),
      ],
      step: "idle",
      fx: ["unlock:1", "started", "deposited", "unlock:1", "failed:no-charged-battery"],
    },
    {
      name: "the new battery not taken",
      inputs: [request(), poll(deposited1, 1_000), poll(deposited1, 50_000), poll(deposited1, 91_000)],
      step: "idle",
      fx: ["unlock:1", "started", "deposited", "unlock:4", "issuing", "failed:not-taken"],
    },
    {
      name: "taken but the door left open: completed, flagged",
      inputs: [
        request(),
        poll(deposited1, 1_000),
        poll(taken4, 2_000),
        poll(taken4, 62_000),
        poll(taken4, 91_000),
      ],
      step: "idle",
      fx: [
        "unlock:1",
        "started",
        "deposited",
        "unlock:4",
        "issuing",
        "warning:door-left-open:4",
        "completed:B00000099->B00000004:door-open",
      ],
    },
    {
      name: "a technician cancels",
      inputs: [request(), { type: "cancel", atMs: 3 }],
      step: "idle",
      fx: ["unlock:1", "started", "failed:cancelled"],
    },
  ])("$name", ({ inputs, step, fx }) => {
    const r = run(inputs);
    expect(r.state.step).toBe(step);
    expect(r.fx).toEqual(fx);
  });
});

describe("power lost mid-swap, resumed after a restart", () => {
  const persisted = (inputs: SwapInput[]) => JSON.parse(JSON.stringify(run(inputs).state)) as SwapState;

  it.each<{
    name: string;
    before: SwapInput[];
    cabinetAfter: SlotView[];
    fx: string[];
    after?: SwapInput[];
    end?: string[];
  }>([
    {
      name: "waiting for the deposit, doors relocked: the empty slot opens again, with a fresh timeout",
      before: [request(), poll(CABINET, 80_000)],
      cabinetAfter: CABINET,
      fx: ["unlock:1", "resumed"],
      after: [poll(CABINET, 50_000)],
      end: [],
    },
    {
      name: "the battery went in during the outage: resumed, then the new one is issued",
      before: [request(), poll(opened1, 1_000)],
      cabinetAfter: deposited1,
      fx: ["resumed"],
      after: [poll(deposited1, 10)],
      end: ["deposited", "unlock:4", "issuing"],
    },
    {
      name: "waiting for the take: its slot opens again",
      before: [request(), poll(deposited1, 1_000)],
      cabinetAfter: deposited1,
      fx: ["unlock:4", "resumed"],
      after: [poll(taken4, 20), poll(closed4, 30)],
      end: ["completed:B00000099->B00000004"],
    },
    {
      name: "taken during the outage: no unlock, completed at the next poll",
      before: [request(), poll(deposited1, 1_000)],
      cabinetAfter: closed4,
      fx: ["resumed"],
      after: [poll(closed4, 5)],
      end: ["completed:B00000099->B00000004"],
    },
  ])("$name", ({ before, cabinetAfter, fx, after, end }) => {
    const saved = persisted(before);
    const resumed = run([{ type: "resume", slots: cabinetAfter, atMs: 0 }], saved);
    expect(resumed.fx).toEqual(fx);
    expect(resumed.state.stepSinceMs).toBe(0);
    if (after) expect(run(after, resumed.state).fx).toEqual(end);
  });

  it("nothing to resume when idle", () => {
    expect(run([{ type: "resume", slots: CABINET, atMs: 0 }]).fx).toEqual([]);
  });
});
