import { describe, expect, it } from "vitest";
import { isInside, NO_ONE_INSIDE, type PassbackEvent, passbackStep } from "./passback.ts";

const H = 3_600_000;
const MAX_STAY = 12 * H;

const rows: { name: string; events: PassbackEvent[]; at: number; card: string; inside: boolean }[] = [
  { name: "nobody has entered", events: [], at: 0, card: "a", inside: false },
  {
    name: "in through the entry reader: inside (a second entry is refused)",
    events: [{ type: "grant", credential: "a", direction: "in", atMs: 0 }],
    at: 1000,
    card: "a",
    inside: true,
  },
  {
    name: "another card is not affected",
    events: [{ type: "grant", credential: "a", direction: "in", atMs: 0 }],
    at: 1000,
    card: "b",
    inside: false,
  },
  {
    name: "out through the exit reader: may enter again",
    events: [
      { type: "grant", credential: "a", direction: "in", atMs: 0 },
      { type: "grant", credential: "a", direction: "out", atMs: 500 },
    ],
    at: 1000,
    card: "a",
    inside: false,
  },
  {
    name: "lost exit: the station seen empty lets everyone in again",
    events: [{ type: "grant", credential: "a", direction: "in", atMs: 0 }, { type: "empty" }],
    at: 1000,
    card: "a",
    inside: false,
  },
  {
    name: "lost exit: after the longest stay the card is free again",
    events: [{ type: "grant", credential: "a", direction: "in", atMs: 0 }],
    at: MAX_STAY,
    card: "a",
    inside: false,
  },
];

describe("anti-passback by direction", () => {
  it.each(rows)("$name", ({ events, at, card, inside }) => {
    const s = events.reduce(passbackStep, NO_ONE_INSIDE);
    expect(isInside(s, card, at, MAX_STAY)).toBe(inside);
  });
});
