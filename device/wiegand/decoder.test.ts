import { describe, expect, it } from "vitest";
import {
  DEFAULT_DECODER,
  type DecodeResult,
  type DecoderOptions,
  type DecoderState,
  decodeStream,
  feed,
  initialDecoderState,
  tick,
  type WiegandEdge,
} from "./decoder.ts";
import {
  decodeCard,
  encodeCard,
  encodeKey,
  KEY_HASH,
  KEY_STAR,
  layoutFromConfig,
  WIEGAND_26,
  WIEGAND_34,
  WIEGAND_37,
  type WiegandLayout,
} from "./formats.ts";
import { bitsToEdges, TYPICAL_TIMING } from "./signal.ts";

/** A site format: 30 bits, 12-bit facility, 16-bit card, two parity bits (given as ranges). */
const CUSTOM_30 = layoutFromConfig({
  name: "site-30",
  bits: 30,
  facility: { start: 1, length: 12 },
  card: { start: 13, length: 16 },
  parity: [
    { bit: 0, type: "even", over: [[1, 14]] },
    { bit: 29, type: "odd", over: [[15, 28]] },
  ],
});

const OPTS: DecoderOptions = { ...DEFAULT_DECODER, layouts: [WIEGAND_26, WIEGAND_34, WIEGAND_37, CUSTOM_30] };

const run = (edges: readonly WiegandEdge[], opts = OPTS): DecodeResult[] => decodeStream(edges, opts);

const summary = (r: DecodeResult) =>
  r.type === "card"
    ? `${r.value.format} ${r.value.facility ?? "-"}:${r.value.card}`
    : r.type === "key"
      ? `key ${r.key}`
      : r.type === "rejected"
        ? `rejected: ${r.reason}`
        : `noise ${r.bits}`;

describe("Wiegand formats", () => {
  it.each([
    // A published H10301 vector: facility 90, card 324.
    { layout: WIEGAND_26, facility: 90, card: 324, bits: "00101101000000001010001000" },
    { layout: WIEGAND_26, facility: 0, card: 0, bits: `0${"0".repeat(24)}1` },
    { layout: WIEGAND_26, facility: 255, card: 65535, bits: `0${"1".repeat(24)}1` },
    { layout: WIEGAND_34, facility: 1, card: 1, bits: `1${"0".repeat(15)}1${"0".repeat(15)}10` },
    { layout: WIEGAND_37, facility: undefined, card: 1, bits: `0${"0".repeat(34)}10` },
    // bit 18 belongs to both halves of H10302: setting it flips both parity bits
    {
      layout: WIEGAND_37,
      facility: undefined,
      card: 2 ** 17,
      bits: `1${"0".repeat(17)}1${"0".repeat(17)}0`,
    },
    { layout: CUSTOM_30, facility: 4095, card: 1, bits: `0${"1".repeat(12)}${"0".repeat(15)}10` },
  ])("$layout.name $facility:$card <-> $bits", ({ layout, facility, card, bits }) => {
    expect(encodeCard(layout, { ...(facility === undefined ? {} : { facility }), card })).toBe(bits);
    const d = decodeCard(bits, layout);
    expect(d.ok && d.value).toMatchObject({ format: layout.name, facility, card });
  });

  it.each([
    { layout: WIEGAND_26, flip: 0 },
    { layout: WIEGAND_26, flip: 7 },
    { layout: WIEGAND_26, flip: 20 },
    { layout: WIEGAND_26, flip: 25 },
    { layout: WIEGAND_34, flip: 16 },
    { layout: WIEGAND_34, flip: 17 },
    { layout: WIEGAND_37, flip: 18 },
    { layout: WIEGAND_37, flip: 36 },
    { layout: CUSTOM_30, flip: 14 },
  ])("$layout.name: a flipped bit $flip fails parity", ({ layout, flip }) => {
    const good = encodeCard(layout, { facility: 5, card: 12345 });
    const bad = good.slice(0, flip) + (good[flip] === "1" ? "0" : "1") + good.slice(flip + 1);
    const d = decodeCard(bad, layout);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(/parity bit/);
  });

  it("hashes facility and card as the reader packed them (a 34-bit UID frame gives the UID bytes)", () => {
    const d = decodeCard(encodeCard(WIEGAND_34, { facility: 0x04a1, card: 0xb2c3 }), WIEGAND_34);
    expect(d.ok && Buffer.from(d.value.identifier).toString("hex")).toBe("04a1b2c3");
  });

  it("refuses numbers that do not fit the layout", () => {
    expect(() => encodeCard(WIEGAND_26, { facility: 256, card: 1 })).toThrow(/does not fit/);
    expect(() => encodeCard(WIEGAND_26, { facility: 1, card: 65536 })).toThrow(/does not fit/);
  });
});

describe("Wiegand decoder: frames from timed edges", () => {
  const frame = (bits: string, startMs = 100) => bitsToEdges(bits, startMs, TYPICAL_TIMING);
  const card26 = encodeCard(WIEGAND_26, { facility: 90, card: 324 });

  it.each([
    { name: "26-bit", bits: card26, expect: ["wiegand-26 90:324"] },
    {
      name: "34-bit",
      bits: encodeCard(WIEGAND_34, { facility: 0x04a1, card: 0xb2c3 }),
      expect: ["wiegand-34 1185:45763"],
    },
    {
      name: "37-bit",
      bits: encodeCard(WIEGAND_37, { card: 34_359_738_367 }),
      expect: ["wiegand-37 -:34359738367"],
    },
    {
      name: "custom 30-bit",
      bits: encodeCard(CUSTOM_30, { facility: 77, card: 4242 }),
      expect: ["wiegand-site-30 77:4242"],
    },
    { name: "keypad-4 '5'", bits: encodeKey(5, 4), expect: ["key 5"] },
    { name: "keypad-4 '#'", bits: encodeKey(KEY_HASH, 4), expect: ["key 11"] },
    { name: "keypad-8 '1'", bits: "11100001", expect: ["key 1"] },
    { name: "keypad-8 '*'", bits: encodeKey(KEY_STAR, 8), expect: ["key 10"] },
    { name: "keypad-8 with a bad complement", bits: "11110001", expect: [/rejected: keypad-8/] },
    { name: "keypad-4 value 14 is no key", bits: "1110", expect: [/rejected: keypad value 14/] },
    {
      name: "26-bit with a parity error",
      bits: `1${card26.slice(1)}`,
      expect: [/rejected: wiegand-26: even parity bit 0/],
    },
    {
      name: "a truncated 26-bit frame",
      bits: card26.slice(0, 19),
      expect: [/rejected: no accepted format has 19 bits/],
    },
    { name: "two stray bits are noise", bits: "01", expect: ["noise 2"] },
  ])("$name", ({ bits, expect: want }) => {
    const got = run(frame(bits)).map(summary);
    expect(got).toHaveLength(want.length);
    want.forEach((w, i) => {
      if (typeof w === "string") expect(got[i]).toBe(w);
      else expect(got[i]).toMatch(w);
    });
  });

  it("decodes the slowest and the fastest timing in the spec, with jitter", () => {
    for (const timing of [
      { pulseMs: 0.02, intervalMs: 0.2, jitterMs: 0.02 },
      { pulseMs: 0.1, intervalMs: 20, jitterMs: 1 },
    ]) {
      const edges = bitsToEdges(card26, 0, timing, () => 0.999);
      expect(run(edges, { ...OPTS, frameTimeoutMs: 25 }).map(summary)).toEqual(["wiegand-26 90:324"]);
    }
  });

  it("ignores glitches shorter than the minimum pulse, on either line, inside and between frames", () => {
    const edges = [...frame(card26)];
    const glitch = (line: 0 | 1, at: number): WiegandEdge[] => [
      { line, active: true, atMs: at },
      { line, active: false, atMs: at + 0.003 },
    ];
    edges.push(...glitch(1, 90), ...glitch(0, 101), ...glitch(1, 100.02), ...glitch(0, 150.5));
    edges.sort((a, b) => a.atMs - b.atMs);
    expect(run(edges).map(summary)).toEqual(["wiegand-26 90:324"]);
  });

  it("refuses a frame where both lines are low together", () => {
    const edges = frame(card26);
    edges.push({ line: 1, active: true, atMs: 100.01 }, { line: 1, active: false, atMs: 100.06 });
    edges.sort((a, b) => a.atMs - b.atMs);
    expect(run(edges).map(summary)).toEqual([expect.stringMatching(/D0 and D1 low together/)]);
  });

  it("refuses a pulse far longer than Wiegand's, and a line held low", () => {
    const long = frame(card26);
    long[1] = { ...(long[1] as WiegandEdge), atMs: 100 + 1.5 };
    expect(run(long).map(summary)).toEqual([expect.stringMatching(/pulse of 1500 us on D0/)]);
    const held = frame(card26).slice(0, -1); // the last pulse never ends
    expect(run(held).map(summary)).toEqual([expect.stringMatching(/held low/)]);
  });

  it("keeps a bit whose trailing edge was missed", () => {
    const edges = frame(card26).filter((_, i) => i !== 7); // trailing edge of bit 3
    expect(run(edges).map(summary)).toEqual(["wiegand-26 90:324"]);
  });

  it("splits frames on silence: two taps, one after the other", () => {
    const a = frame(card26, 0);
    const b = frame(encodeKey(7, 4), 0 + 52 + 30);
    expect(run([...a, ...b]).map(summary)).toEqual(["wiegand-26 90:324", "key 7"]);
  });

  it("refuses formats that are not enabled", () => {
    const only26: DecoderOptions = { ...OPTS, layouts: [WIEGAND_26], keypad4: false };
    expect(run(frame(encodeKey(3, 4)), only26).map(summary)).toEqual([
      "rejected: no accepted format has 4 bits",
    ]);
  });

  it("does not end a frame before the timeout, and ends it exactly at the timeout", () => {
    const edges = frame(card26, 0);
    let s: DecoderState = initialDecoderState;
    for (const e of edges) s = feed(s, e, OPTS).state;
    const last = edges.at(-1)?.atMs ?? 0;
    expect(tick(s, last + 24.9, OPTS).out).toEqual([]);
    expect(tick(s, last + 25, OPTS).out.map(summary)).toEqual(["wiegand-26 90:324"]);
  });

  it.each<{ name: string; edges: WiegandEdge[] }>([
    { name: "edges going back in time", edges: [...frame(card26, 10), ...frame(card26, 5)] },
    {
      name: "a NaN timestamp",
      edges: [
        ...frame(card26).slice(0, 9),
        { line: 0, active: true, atMs: Number.NaN },
        ...frame(card26).slice(9),
      ],
    },
    {
      name: "a line number that is no line",
      edges: [
        ...frame(card26).slice(0, 9),
        { line: 7 as 0, active: true, atMs: 117 },
        ...frame(card26).slice(9),
      ],
    },
  ])("refuses a frame with $name, without throwing", ({ edges }) => {
    const out = run(edges);
    expect(out.filter((r) => r.type === "card")).toEqual([]);
    expect(out.some((r) => r.type === "rejected")).toBe(true);
  });

  it("ignores a malformed edge while the lines are idle", () => {
    const edges = [{ line: 0 as const, active: true, atMs: Number.NaN }, ...frame(card26)];
    expect(run(edges).map(summary)).toEqual(["wiegand-26 90:324"]);
  });

  it("layouts must be distinct by length (config checks it; the decoder takes the first)", () => {
    const l: WiegandLayout = { ...WIEGAND_26, name: "wiegand-other" };
    expect(run(frame(card26), { ...OPTS, layouts: [WIEGAND_26, l] }).map(summary)).toEqual([
      "wiegand-26 90:324",
    ]);
  });
});
