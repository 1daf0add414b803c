import { describe, expect, it } from "vitest";
import { BEAM_IDLE, type BeamInput, type BeamResult, beamStep } from "./beam-pair.ts";

const OPTS = { passageTimeoutMs: 4000 };

/** "A+ B+ A- B-" at 100 ms steps; "t" is a tick at +5 s. */
function run(script: string): BeamResult[] {
  let s = BEAM_IDLE;
  const out: BeamResult[] = [];
  let t = 0;
  for (const tok of script.split(/\s+/).filter(Boolean)) {
    t += 100;
    let input: BeamInput;
    if (tok === "t") {
      t += 5000;
      input = { type: "tick", atMs: t };
    } else {
      input = { type: "edge", beam: tok[0] === "A" ? "a" : "b", active: tok[1] === "+", atMs: t };
    }
    const r = beamStep(s, input, OPTS);
    s = r.state;
    out.push(...r.results);
  }
  return out;
}

const rows: { name: string; script: string; expected: BeamResult[] }[] = [
  { name: "one person in", script: "A+ B+ A- B-", expected: ["in"] },
  { name: "one person out", script: "B+ A+ B- A-", expected: ["out"] },
  { name: "in, then out", script: "A+ B+ A- B- B+ A+ B- A-", expected: ["in", "out"] },
  { name: "two close together, in", script: "A+ B+ A- A+ B- B+ A- B-", expected: ["in", "in"] },
  { name: "two close together, out", script: "B+ A+ B- B+ A- A+ B- A-", expected: ["out", "out"] },
  { name: "stepped into A and back", script: "A+ A-", expected: [] },
  { name: "leaned through both and went back out", script: "A+ B+ B- A-", expected: [] },
  { name: "B broken with A clear, then A: from both sides at once", script: "A+ A- B+ B-", expected: [] },
  { name: "B alone, then a full crossing in", script: "B+ B- A+ B+ A- B-", expected: ["in"] },
  { name: "a passage that never ends is confused once", script: "A+ B+ t B- A-", expected: ["confused"] },
  { name: "a repeated level is not an edge", script: "A+ A+ B+ B+ A- B-", expected: ["in"] },
  {
    name: "one crossed while another dabbed A and turned back",
    script: "A+ B+ A- A+ A- B-",
    expected: ["confused"],
  },
  { name: "a wiggle on the inner beam", script: "A+ B+ B- B+ A- B-", expected: ["confused"] },
];

describe("beam pair", () => {
  it.each(rows)("$name: $script", ({ script, expected }) => {
    expect(run(script)).toEqual(expected);
  });
});
