import { describe, expect, it } from "vitest";
import { SAFE, type SafetyCause, type SafetyInput, type SafetyState, safetyStep } from "./safety-machine.ts";

const on = (cause: SafetyCause): SafetyInput => ({ type: "signal", cause, active: true });
const off = (cause: SafetyCause): SafetyInput => ({ type: "signal", cause, active: false });
const RESET: SafetyInput = { type: "reset" };

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

const CAUSES: SafetyCause[] = ["cabinet-thermal", "cabinet-smoke", "smoke"];

describe("safety coordinator rules", () => {
  it.each(CAUSES)(
    "%s cuts power, releases the door, sounds the alarm and raises the event, in that order",
    (cause) => {
      expect(run([on(cause)])).toEqual({
        state: { active: [cause], latched: true },
        effects: ["power-cut:on", "egress:on", "sounder:on", `alarm:${cause}`],
      });
    },
  );

  it.each<{
    name: string;
    inputs: SafetyInput[];
    active: SafetyCause[];
    latched: boolean;
    effects: string[];
  }>([
    {
      name: "a second cause raises its own alarm but does not repeat the cut",
      inputs: [on("cabinet-thermal"), on("smoke")],
      active: ["cabinet-thermal", "smoke"],
      latched: true,
      effects: ["power-cut:on", "egress:on", "sounder:on", "alarm:cabinet-thermal", "alarm:smoke"],
    },
    {
      name: "a repeated signal is nothing new",
      inputs: [on("smoke"), on("smoke")],
      active: ["smoke"],
      latched: true,
      effects: ["power-cut:on", "egress:on", "sounder:on", "alarm:smoke"],
    },
    {
      name: "the signal clearing ends egress and the sounder; the power cut stays latched",
      inputs: [on("cabinet-thermal"), off("cabinet-thermal")],
      active: [],
      latched: true,
      effects: [
        "power-cut:on",
        "egress:on",
        "sounder:on",
        "alarm:cabinet-thermal",
        "signal-cleared:cabinet-thermal",
        "egress:off",
        "sounder:off",
      ],
    },
    {
      name: "one of two causes clearing keeps everything on",
      inputs: [on("cabinet-thermal"), on("smoke"), off("smoke")],
      active: ["cabinet-thermal"],
      latched: true,
      effects: [
        "power-cut:on",
        "egress:on",
        "sounder:on",
        "alarm:cabinet-thermal",
        "alarm:smoke",
        "signal-cleared:smoke",
      ],
    },
    {
      name: "a reset while a cause is active is refused",
      inputs: [on("cabinet-smoke"), RESET],
      active: ["cabinet-smoke"],
      latched: true,
      effects: ["power-cut:on", "egress:on", "sounder:on", "alarm:cabinet-smoke", "reset-refused"],
    },
    {
      name: "a reset after the causes cleared restores power",
      inputs: [on("smoke"), off("smoke"), RESET],
      active: [],
      latched: false,
      effects: [
        "power-cut:on",
        "egress:on",
        "sounder:on",
        "alarm:smoke",
        "signal-cleared:smoke",
        "egress:off",
        "sounder:off",
        "power-cut:off",
        "reset",
      ],
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
  ])("$name", ({ inputs, active, latched, effects }) => {
    const r = run(inputs);
    expect(r.state).toEqual({ active, latched });
    expect(r.effects).toEqual(effects);
  });

  it("power is never restored while any cause is active, whatever the order of inputs", () => {
    const inputs: SafetyInput[] = [...CAUSES.flatMap((c) => [on(c), off(c)]), RESET];
    // every sequence of 4 inputs: track what the effects leave the power at
    const walk = (state: SafetyState, cut: boolean, depth: number): void => {
      if (state.active.length > 0 || state.latched) expect(cut).toBe(true);
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
