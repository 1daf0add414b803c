import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock/manual-clock.ts";
import {
  PROBE_MISSES,
  type ProbeEffect,
  type ProbeInput,
  type ProbeState,
  probeStart,
  probeStep,
} from "./liveness.ts";

const P = 1000;
const tick: ProbeInput = { kind: "tick" };
const answer: ProbeInput = { kind: "answer" };
const at = (unanswered: number, hung = false): ProbeState => ({ unanswered, hung });

describe("probeStep", () => {
  const rows: { name: string; s: ProbeState; input: ProbeInput; effects: ProbeEffect[]; next: ProbeState }[] =
    [
      {
        name: "the first tick after the handshake asks",
        s: probeStart(),
        input: tick,
        effects: [{ kind: "query" }],
        next: at(1),
      },
      {
        name: "one unanswered: asks again",
        s: at(1),
        input: tick,
        effects: [{ kind: "query" }],
        next: at(2),
      },
      {
        name: "two unanswered: asks a third time",
        s: at(2),
        input: tick,
        effects: [{ kind: "query" }],
        next: at(3),
      },
      {
        name: "three unanswered: hung",
        s: at(PROBE_MISSES),
        input: tick,
        effects: [{ kind: "hung", unanswered: 3 }],
        next: at(3, true),
      },
      { name: "an answer resets the count", s: at(2), input: answer, effects: [], next: at(0) },
      { name: "an answer with none outstanding", s: at(0), input: answer, effects: [], next: at(0) },
      {
        name: "hung stays hung: a tick does nothing",
        s: at(3, true),
        input: tick,
        effects: [],
        next: at(3, true),
      },
      {
        name: "a late answer does not revive",
        s: at(3, true),
        input: answer,
        effects: [],
        next: at(3, true),
      },
    ];
  it.each(rows)("$name", ({ s, input, effects, next }) => {
    const r = probeStep(s, input);
    expect(r.effects).toEqual(effects);
    expect(r.state).toEqual(next);
  });
});

/**
 * The board's use of it on a manual clock: a tick every P (as JohnnyFiveBoard schedules it), a
 * scripted board answering each query after some delay, or never.
 */
function drive(answerDelay: (queryAtMs: number) => number | undefined, untilMs: number) {
  const clock = new ManualClock();
  let state = probeStart();
  let queries = 0;
  let hungAt: number | undefined;
  const apply = (input: ProbeInput) => {
    const r = probeStep(state, input);
    state = r.state;
    for (const e of r.effects) {
      if (e.kind === "hung") hungAt = clock.monotonic();
      else {
        queries++;
        const delay = answerDelay(clock.monotonic());
        if (delay !== undefined) clock.setTimeout(() => apply(answer), delay);
      }
    }
  };
  const onTick = () => {
    apply(tick);
    if (!state.hung) clock.setTimeout(onTick, P);
  };
  clock.setTimeout(onTick, P);
  clock.advance(untilMs);
  return { hungAt, queries };
}

describe("the probe on a manual clock", () => {
  it.each([
    { name: "a board answering at once is never hung", delay: () => 5, hungAt: undefined },
    { name: "a slow board (answers within a period) is never hung", delay: () => P - 1, hungAt: undefined },
    {
      // the event loop stalled: the tick runs before the answer waiting in the port's buffer
      name: "answers arriving after the next query (a stalled loop) are no hang",
      delay: () => 2.5 * P,
      hungAt: undefined,
    },
    { name: "a board that never answers: hung at the 4th tick", delay: () => undefined, hungAt: 4 * P },
    {
      name: "a board hanging at 4.5 s (last answered the 4 s query): hung at the 8 s tick",
      delay: (q: number) => (q < 4500 ? 5 : undefined),
      hungAt: 8 * P,
    },
    {
      name: "one lost answer in three is no hang",
      delay: (q: number) => (q % (3 * P) === 0 ? undefined : 5),
      hungAt: undefined,
    },
  ])("$name", ({ delay, hungAt }) => {
    expect(drive(delay, 20 * P).hungAt).toBe(hungAt);
  });

  it("asks once per period while the board answers", () => {
    expect(drive(() => 5, 10 * P).queries).toBe(10);
  });
});
