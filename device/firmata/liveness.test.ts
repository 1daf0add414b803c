import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock/manual-clock.ts";
import { PROBE_MISSES, type ProbeEffect, type ProbeState, probeStart, probeStep } from "./liveness.ts";

const P = 1000;

describe("probeStep", () => {
  const s0 = probeStart(0);
  const rows: {
    name: string;
    s: ProbeState;
    input: Parameters<typeof probeStep>[1];
    effects: ProbeEffect[];
    hung: boolean;
  }[] = [
    {
      name: "a tick soon after the handshake asks",
      s: s0,
      input: { kind: "tick", atMs: P },
      effects: [{ kind: "query" }],
      hung: false,
    },
    {
      name: "two periods quiet still asks",
      s: s0,
      input: { kind: "tick", atMs: 2 * P },
      effects: [{ kind: "query" }],
      hung: false,
    },
    {
      name: "just under the bound still asks",
      s: s0,
      input: { kind: "tick", atMs: PROBE_MISSES * P - 1 },
      effects: [{ kind: "query" }],
      hung: false,
    },
    {
      name: "three periods quiet: hung",
      s: s0,
      input: { kind: "tick", atMs: PROBE_MISSES * P },
      effects: [{ kind: "hung", quietMs: 3000 }],
      hung: true,
    },
    {
      name: "an answer records its time, no effect",
      s: s0,
      input: { kind: "answer", atMs: 2500 },
      effects: [],
      hung: false,
    },
    {
      name: "hung stays hung: a tick does nothing",
      s: { lastAnswerMs: 0, hung: true },
      input: { kind: "tick", atMs: 9000 },
      effects: [],
      hung: true,
    },
    {
      name: "a late answer does not revive",
      s: { lastAnswerMs: 0, hung: true },
      input: { kind: "answer", atMs: 9000 },
      effects: [],
      hung: true,
    },
  ];
  it.each(rows)("$name", ({ s, input, effects, hung }) => {
    const r = probeStep(s, input, P);
    expect(r.effects).toEqual(effects);
    expect(r.state.hung).toBe(hung);
  });

  it("an out-of-order answer never moves the last answer back", () => {
    const s = probeStep({ lastAnswerMs: 2000, hung: false }, { kind: "answer", atMs: 1500 }, P).state;
    expect(s.lastAnswerMs).toBe(2000);
  });
});

/** The board's use of it on a manual clock: a tick every P, answers from a scripted board. */
function drive(answers: (queryAtMs: number) => number | undefined, untilMs: number) {
  const clock = new ManualClock();
  let state = probeStart(clock.monotonic());
  const log: string[] = [];
  let hungAt: number | undefined;
  const apply = (input: Parameters<typeof probeStep>[1]) => {
    const r = probeStep(state, input, P);
    state = r.state;
    for (const e of r.effects) {
      if (e.kind === "hung") hungAt = clock.monotonic();
      else {
        log.push(`query@${clock.monotonic()}`);
        const delay = answers(clock.monotonic());
        if (delay !== undefined)
          clock.setTimeout(() => apply({ kind: "answer", atMs: clock.monotonic() }), delay);
      }
    }
  };
  const tick = () => {
    apply({ kind: "tick", atMs: clock.monotonic() });
    if (!state.hung) clock.setTimeout(tick, P);
  };
  clock.setTimeout(tick, P);
  clock.advance(untilMs);
  return { hungAt, queries: log.length };
}

describe("the probe on a manual clock", () => {
  it.each([
    { name: "a board answering at once is never hung", answers: () => 5, hungAt: undefined },
    { name: "a slow board (answers within a period) is never hung", answers: () => P - 1, hungAt: undefined },
    { name: "a board that never answers: hung at 3 periods", answers: () => undefined, hungAt: 3 * P },
    {
      name: "a board hanging at 4.5 s: hung at the first tick 3 periods after its last answer (4.005 s → the 8 s tick)",
      answers: (at: number) => (at < 4500 ? 5 : undefined),
      hungAt: 8 * P,
    },
    {
      name: "one lost answer in three is no hang",
      answers: (at: number) => (at % (3 * P) === 0 ? undefined : 5),
      hungAt: undefined,
    },
  ])("$name", ({ answers, hungAt }) => {
    expect(drive(answers, 20 * P).hungAt).toBe(hungAt);
  });

  it("asks once per period while the board answers", () => {
    expect(drive(() => 5, 10 * P).queries).toBe(10);
  });
});
