/**
 * A beam-break pair across the doorway, as a pure machine: beam A on the outside, B on the inside,
 * closer together than a body is deep. A person walking in breaks A, then A+B, then B; walking out
 * the reverse. Edges between two moments when both beams are clear form one passage; it is judged
 * when they clear:
 *
 * * first break A, last release B, each beam broken n times → `in` × n (two walking close
 *   together break each beam twice);
 * * the mirror image → `out` × n;
 * * only one beam touched, or first and last edge on the same side → someone turned back: nothing;
 * * a crossing that never finishes (a beam blocked, a person standing in the doorway), or the
 *   beams broken unequally often → `confused`: an honest "do not know" rather than a wrong count.
 */
export type Beam = "a" | "b";
export type BeamResult = "in" | "out" | "confused";

export interface BeamPairOptions {
  /** a passage must end (both clear) within this time */
  readonly passageTimeoutMs: number;
}

export interface BeamPairState {
  readonly a: boolean;
  readonly b: boolean;
  /** the edges of the passage in progress, in order */
  readonly edges: readonly { beam: Beam; active: boolean }[];
  readonly startedMs: number | undefined;
  /** the passage already timed out: its end gives nothing more */
  readonly timedOut: boolean;
}

export const BEAM_IDLE: BeamPairState = {
  a: false,
  b: false,
  edges: [],
  startedMs: undefined,
  timedOut: false,
};

export type BeamInput =
  | { type: "edge"; beam: Beam; active: boolean; atMs: number }
  | { type: "tick"; atMs: number };

export interface BeamOutput {
  readonly state: BeamPairState;
  readonly results: BeamResult[];
}

export function beamStep(s: BeamPairState, input: BeamInput, o: BeamPairOptions): BeamOutput {
  if (input.type === "tick") {
    if (s.startedMs !== undefined && !s.timedOut && input.atMs - s.startedMs >= o.passageTimeoutMs) {
      return { state: { ...s, timedOut: true }, results: ["confused"] };
    }
    return { state: s, results: [] };
  }
  const current = input.beam === "a" ? s.a : s.b;
  if (current === input.active) return { state: s, results: [] }; // a repeated level is no edge
  const next: BeamPairState = {
    a: input.beam === "a" ? input.active : s.a,
    b: input.beam === "b" ? input.active : s.b,
    edges: [...s.edges, { beam: input.beam, active: input.active }],
    startedMs: s.startedMs ?? input.atMs,
    timedOut: s.timedOut,
  };
  if (next.a || next.b) return { state: next, results: [] };
  const results = next.timedOut ? [] : judge(next.edges);
  return { state: BEAM_IDLE, results };
}

function judge(edges: BeamPairState["edges"]): BeamResult[] {
  const first = edges[0];
  const last = edges.at(-1);
  if (!first || !last) return [];
  const a = edges.filter((e) => e.beam === "a" && e.active).length;
  const b = edges.filter((e) => e.beam === "b" && e.active).length;
  // Only one beam touched, or in and back out on the same side: nobody crossed.
  if (a === 0 || b === 0 || first.beam === last.beam) return [];
  // Each person breaks each beam once; unequal breaks (a wiggle, someone turning back inside a
  // crowd) cannot be told apart from one more or one fewer person.
  if (a !== b) return ["confused"];
  return new Array<BeamResult>(a).fill(first.beam === "a" ? "in" : "out");
}
