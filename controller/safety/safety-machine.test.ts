import { describe, expect, it } from "vitest";
import {
  type OfflinePolicy,
  powerCut,
  SAFE,
  type SafetyCause,
  type SafetyInput,
  type SafetyState,
  safetyStep,
} from "./safety-machine.ts";

const on = (cause: SafetyCause): SafetyInput => ({ type: "signal", cause, active: true });
const off = (cause: SafetyCause): SafetyInput => ({ type: "signal", cause, active: false });
const RESET: SafetyInput = { type: "reset" };
/** the I/O board's smoke detector unseen past its grace, or seen again, with the file's policy */
const lost = (policy: OfflinePolicy = "cut-power"): SafetyInput => ({
  type: "watch",
  ok: false,
  policy,
  detail: "board gone",
});
const back = (policy: OfflinePolicy = "cut-power"): SafetyInput => ({ type: "watch", ok: true, policy });
const RESTORED: SafetyInput = { type: "restored" };
/** the effects of a first cause, and of the last one clearing */
const RAISED = (c: string) => ["power-cut:on", "egress:on", "sounder:on", `alarm:${c}`];
const CLEARED = (c: string) => [`signal-cleared:${c}`, "egress:off", "sounder:off"];

function run(inputs: SafetyInput[], from: SafetyState = SAFE) {
  let state = from;
  const effects: string[] = [];
  for (const i of inputs) {
    const r = safetyStep(state, i);
    state = r.state;
    for (const e of r.effects)
      effects.push(
        "on" in e ? `${e.type}:${e.on ? "on" : "off"}` : "cause" in e ? `${e.type}:${e.cause}` : e.type,
      );
  }
  return { state, effects };
}

const CAUSES: SafetyCause[] = ["cabinet-thermal", "cabinet-smoke", "smoke", "smoke-detector-offline"];

describe("safety coordinator rules", () => {
  it.each(CAUSES)(
    "%s cuts power, releases the door, sounds the alarm and raises the event, in that order",
    (cause) => {
      expect(run([on(cause)])).toEqual({
        state: { active: [cause], latched: true, watchLost: false },
        effects: ["power-cut:on", "egress:on", "sounder:on", `alarm:${cause}`],
      });
    },
  );

  it.each<{
    name: string;
    inputs: SafetyInput[];
    active: SafetyCause[];
    latched: boolean;
    watchLost?: boolean;
    effects: string[];
  }>([
    {
      name: "a second cause raises its own alarm but does not repeat the cut",
      inputs: [on("cabinet-thermal"), on("smoke")],
      active: ["cabinet-thermal", "smoke"],
      latched: true,
      effects: [...RAISED("cabinet-thermal"), "alarm:smoke"],
    },
    {
      name: "a repeated signal is nothing new",
      inputs: [on("smoke"), on("smoke")],
      active: ["smoke"],
      latched: true,
      effects: [...RAISED("smoke")],
    },
    {
      name: "the signal clearing ends egress and the sounder; the power cut stays latched",
      inputs: [on("cabinet-thermal"), off("cabinet-thermal")],
      active: [],
      latched: true,
      effects: [...RAISED("cabinet-thermal"), ...CLEARED("cabinet-thermal")],
    },
    {
      name: "one of two causes clearing keeps everything on",
      inputs: [on("cabinet-thermal"), on("smoke"), off("smoke")],
      active: ["cabinet-thermal"],
      latched: true,
      effects: [...RAISED("cabinet-thermal"), "alarm:smoke", "signal-cleared:smoke"],
    },
    {
      name: "a reset while a cause is active is refused",
      inputs: [on("cabinet-smoke"), RESET],
      active: ["cabinet-smoke"],
      latched: true,
      effects: [...RAISED("cabinet-smoke"), "reset-refused"],
    },
    {
      name: "a reset after the causes cleared restores power",
      inputs: [on("smoke"), off("smoke"), RESET],
      active: [],
      latched: false,
      effects: [...RAISED("smoke"), ...CLEARED("smoke"), "power-cut:off", "reset"],
    },
    {
      name: "a reset with nothing latched does nothing",
      inputs: [RESET],
      active: [],
      latched: false,
      effects: [],
    },
    {
      name: "a clear that was never raised does nothing",
      inputs: [off("smoke")],
      active: [],
      latched: false,
      effects: [],
    },
    // The smoke detector on the I/O board (safety.smokeDetector.board).
    {
      name: "smoke on the board: the same cut, release, sounder and event as any smoke",
      inputs: [back(), on("smoke")],
      active: ["smoke"],
      latched: true,
      effects: [...RAISED("smoke")],
    },
    {
      name: "board unseen (cut-power): power held off, no latch, no door release, no sounder",
      inputs: [lost()],
      active: [],
      latched: false,
      watchLost: true,
      effects: ["power-cut:on", "watch-lost"],
    },
    {
      name: "board seen again (cut-power): power back by itself",
      inputs: [lost(), back()],
      active: [],
      latched: false,
      effects: ["power-cut:on", "watch-lost", "power-cut:off", "watch-restored"],
    },
    {
      name: "board unseen twice is one loss",
      inputs: [lost(), lost()],
      active: [],
      latched: false,
      watchLost: true,
      effects: ["power-cut:on", "watch-lost"],
    },
    {
      name: "board unseen (alarm): treated as smoke, latched, door released, sounder",
      inputs: [lost("alarm")],
      active: ["smoke-detector-offline"],
      latched: true,
      effects: [...RAISED("smoke-detector-offline")],
    },
    {
      name: "board back (alarm): the cause clears, the latch stays for the technician",
      inputs: [lost("alarm"), back("alarm")],
      active: [],
      latched: true,
      effects: [...RAISED("smoke-detector-offline"), ...CLEARED("smoke-detector-offline")],
    },
    {
      name: "smoke while the board is unseen (its last report): the alarm on top of the held cut",
      inputs: [lost(), on("smoke")],
      active: ["smoke"],
      latched: true,
      watchLost: true,
      effects: ["power-cut:on", "watch-lost", "egress:on", "sounder:on", "alarm:smoke"],
    },
    {
      name: "a reset with the board unseen clears the latch, the power stays cut",
      inputs: [on("smoke"), off("smoke"), lost(), RESET],
      active: [],
      latched: false,
      watchLost: true,
      effects: [...RAISED("smoke"), ...CLEARED("smoke"), "watch-lost", "reset"],
    },
    {
      name: "the board coming back after smoke does not restore power: the latch holds",
      inputs: [on("smoke"), off("smoke"), lost(), back()],
      active: [],
      latched: true,
      effects: [...RAISED("smoke"), ...CLEARED("smoke"), "watch-lost", "watch-restored"],
    },
    // A restart with the latch on file (station-state.json).
    {
      name: "restored latch: power cut at start, no release, no event; the reset restores it",
      inputs: [RESTORED, RESET],
      active: [],
      latched: false,
      effects: ["power-cut:on", "power-cut:off", "reset"],
    },
    {
      name: "restored latch with the smoke still there: the alarm again, the cut already on",
      inputs: [RESTORED, on("smoke")],
      active: ["smoke"],
      latched: true,
      effects: [...RAISED("smoke")],
    },
  ])("$name", ({ inputs, active, latched, watchLost = false, effects }) => {
    const r = run(inputs);
    expect(r.state).toEqual({ active, latched, watchLost });
    expect(r.effects).toEqual(effects);
  });

  it("power is never restored while any cause is active, whatever the order of inputs", () => {
    const inputs: SafetyInput[] = [
      ...CAUSES.flatMap((c) => [on(c), off(c)]),
      RESET,
      lost(),
      back(),
      lost("alarm"),
      back("alarm"),
      RESTORED,
    ];
    // every sequence of 4 inputs: track what the effects leave the power at
    const walk = (state: SafetyState, cut: boolean, depth: number): void => {
      if (state.active.length > 0 || state.latched || state.watchLost) expect(cut).toBe(true);
      expect(cut).toBe(powerCut(state));
      if (depth === 0) return;
      for (const i of inputs) {
        const r = safetyStep(state, i);
        let c = cut;
        for (const e of r.effects) if (e.type === "power-cut") c = e.on;
        walk(r.state, c, depth - 1);
      }
    };
    walk(SAFE, false, 4);
  });
});
