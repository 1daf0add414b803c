import { describe, expect, it } from "vitest";
import type { FrameVerdict } from "../../device/face/protocol.ts";
import { decideFace } from "./face-decision.ts";

const t = { match: 0.6, antispoof: 0.42, liveness: 0.5, colour: 0.04, minFaceSize: 96 };
const v = (o: Partial<FrameVerdict>): FrameVerdict => ({
  faces: 1,
  personId: "p",
  similarity: 0.8,
  real: 0.6,
  live: 0.99,
  score: 1,
  size: 150,
  chroma: 0.3,
  analyseMs: 100,
  ...o,
});

const rows: { name: string; verdict: FrameVerdict; expected: unknown }[] = [
  { name: "no face: nothing to decide", verdict: { faces: 0, analyseMs: 5 }, expected: { outcome: "none" } },
  {
    name: "live, real and similar: a match with its scores",
    verdict: v({}),
    expected: {
      outcome: "match",
      personId: "p",
      scores: { similarity: 0.8, liveness: 0.99, antispoof: 0.6, colour: 0.3 },
    },
  },
  {
    name: "at the thresholds: a match",
    verdict: v({ similarity: 0.6, real: 0.42, live: 0.5, chroma: 0.04 }),
    expected: { outcome: "match" },
  },
  {
    name: "below the match threshold",
    verdict: v({ similarity: 0.599 }),
    expected: { outcome: "rejected", reason: "no-match" },
  },
  {
    name: "a photo of an enrolled person: spoof, naming whom it resembled",
    verdict: v({ real: 0.38 }),
    expected: { outcome: "rejected", reason: "spoof", personId: "p" },
  },
  {
    name: "a grey print of an enrolled person, which the model scores as real: monochrome",
    verdict: v({ chroma: 0.01 }),
    expected: { outcome: "rejected", reason: "monochrome", personId: "p", scores: { colour: 0.01 } },
  },
  {
    name: "a frame that says nothing of colour is not taken as coloured",
    verdict: v({ chroma: undefined }),
    expected: { outcome: "rejected", reason: "monochrome" },
  },
  {
    name: "not live",
    verdict: v({ live: 0.2 }),
    expected: { outcome: "rejected", reason: "not-live", personId: "p" },
  },
  {
    name: "a spoof that resembles nobody names nobody",
    verdict: v({ real: 0.1, similarity: 0.3 }),
    expected: { outcome: "rejected", reason: "spoof", personId: undefined },
  },
  {
    name: "too far away to judge",
    verdict: v({ size: 60 }),
    expected: { outcome: "rejected", reason: "too-small" },
  },
  {
    name: "an empty gallery: no match",
    verdict: v({ personId: undefined, similarity: undefined }),
    expected: { outcome: "rejected", reason: "no-match" },
  },
];

const motion = {
  enabled: true,
  minMotion: 0.015,
  minParallax: 0.02,
  minRatio: 0.25,
  onNoMotion: "deny" as const,
};
const tm = { ...t, motion };
const burst = (m: number, p: number, pairs = 3) => ({ motion: { motion: m, parallax: p, frames: 4, pairs } });

const motionRows: { name: string; verdict: FrameVerdict; expected: unknown; onNoMotion?: "allow" }[] = [
  {
    name: "a head that turned: parallax above both thresholds: a match, with the burst's scores",
    verdict: v(burst(0.06, 0.035)),
    expected: { outcome: "match", scores: { motion: 0.06, parallax: 0.035 } },
  },
  {
    name: "a photo tilted and moved: motion without parallax: liveness-motion, before the match",
    verdict: v(burst(0.06, 0.01)),
    expected: { outcome: "rejected", reason: "liveness-motion", personId: "p" },
  },
  {
    name: "parallax over minParallax but under minRatio of a large motion: still a plane",
    verdict: v(burst(0.3, 0.05)),
    expected: { outcome: "rejected", reason: "liveness-motion" },
  },
  {
    name: "liveness-motion comes before the single-frame models (they do not separate photos)",
    verdict: v({ real: 0.1, ...burst(0.06, 0.005) }),
    expected: { outcome: "rejected", reason: "liveness-motion" },
  },
  {
    name: "a matching face that did not move: liveness-unproven, naming whom it matched",
    verdict: v(burst(0.001, 0.001)),
    expected: { outcome: "rejected", reason: "liveness-unproven", personId: "p" },
  },
  {
    name: "no burst at all (no pair counted) proves nothing either",
    verdict: v(burst(0.06, 0.04, 0)),
    expected: { outcome: "rejected", reason: "liveness-unproven" },
  },
  {
    name: "a still face that matches nobody: no-match (the more useful reason)",
    verdict: v({ similarity: 0.3, ...burst(0, 0) }),
    expected: { outcome: "rejected", reason: "no-match" },
  },
  {
    name: "a still face that the model calls a spoof stays a spoof",
    verdict: v({ real: 0.2, ...burst(0, 0) }),
    expected: { outcome: "rejected", reason: "spoof" },
  },
  {
    name: "onNoMotion allow: a still face is judged on the single-frame checks, as before",
    verdict: v(burst(0, 0)),
    expected: { outcome: "match" },
    onNoMotion: "allow",
  },
  {
    name: "onNoMotion allow still refuses a face that moved as a plane",
    verdict: v(burst(0.05, 0.002)),
    expected: { outcome: "rejected", reason: "liveness-motion" },
    onNoMotion: "allow",
  },
];

describe("face decision with the motion check (face.liveness.motion)", () => {
  it.each(motionRows)("$name", ({ verdict, expected, onNoMotion }) => {
    const th = onNoMotion ? { ...tm, motion: { ...motion, onNoMotion } } : tm;
    expect(decideFace(verdict, th)).toMatchObject(expected as object);
  });

  it("disabled: the burst is not looked at", () => {
    expect(decideFace(v(burst(0, 0)), { ...tm, motion: { ...motion, enabled: false } })).toMatchObject({
      outcome: "match",
    });
  });
});

describe("face decision", () => {
  it.each(rows)("$name", ({ verdict, expected }) => {
    expect(decideFace(verdict, t)).toMatchObject(expected as object);
  });

  it("colour 0 turns the colour check off (a camera that is monochrome at night)", () => {
    expect(decideFace(v({ chroma: 0 }), { ...t, colour: 0 })).toMatchObject({ outcome: "match" });
  });
});
