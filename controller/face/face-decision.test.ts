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

describe("face decision", () => {
  it.each(rows)("$name", ({ verdict, expected }) => {
    expect(decideFace(verdict, t)).toMatchObject(expected as object);
  });

  it("colour 0 turns the colour check off (a camera that is monochrome at night)", () => {
    expect(decideFace(v({ chroma: 0 }), { ...t, colour: 0 })).toMatchObject({ outcome: "match" });
  });
});
