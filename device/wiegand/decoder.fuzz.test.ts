import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_DECODER,
  type DecodeResult,
  type DecoderOptions,
  decodeStream,
  type WiegandEdge,
} from "./decoder.ts";
import {
  decodeCard,
  encodeCard,
  encodeKey,
  WIEGAND_26,
  WIEGAND_34,
  WIEGAND_37,
  type WiegandLayout,
} from "./formats.ts";
import { bitsToEdges } from "./signal.ts";

/**
 * Random edge streams against the decoder: it never throws, and what it decodes is exactly the
 * well-formed frames that were sent — never a card made of noise or of a damaged frame.
 */
const LAYOUTS = [WIEGAND_26, WIEGAND_34, WIEGAND_37];
const OPTS: DecoderOptions = { ...DEFAULT_DECODER, layouts: LAYOUTS };

const decodeAll = (edges: readonly WiegandEdge[], opts = OPTS): DecodeResult[] => decodeStream(edges, opts);

const label = (r: DecodeResult): string | undefined =>
  r.type === "card"
    ? `${r.value.format}:${r.value.facility ?? "-"}:${r.value.card}`
    : r.type === "key"
      ? `key:${r.key}`
      : undefined;

/** A well-formed frame: a card of one of the formats, or a keypad burst. */
const arbFrame = fc.oneof(
  fc
    .record({
      layout: fc.constantFrom(...LAYOUTS),
      facility: fc.nat(),
      card: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ layout, facility, card }) => {
      const f = layout.facility ? facility % 2 ** layout.facility.length : undefined;
      const c = Math.floor(card * (2 ** layout.card.length - 1));
      const bits = encodeCard(layout, { ...(f === undefined ? {} : { facility: f }), card: c });
      return { bits, label: `${layout.name}:${f ?? "-"}:${c}` };
    }),
  fc
    .record({ key: fc.integer({ min: 0, max: 11 }), bits: fc.constantFrom(4 as const, 8 as const) })
    .map(({ key, bits }) => ({ bits: encodeKey(key, bits), label: `key:${key}` })),
);

/** Timings inside the spec, with jitter: 20-100 us pulses, 0.4-5 ms between bits. */
const arbTiming = fc.record({
  pulseMs: fc.double({ min: 0.02, max: 0.1, noNaN: true }),
  intervalMs: fc.double({ min: 0.4, max: 5, noNaN: true }),
  jitterMs: fc.double({ min: 0, max: 0.1, noNaN: true }),
});

/** Low-going spikes shorter than the glitch limit, on an idle line, anywhere in the stream. */
function addGlitches(edges: WiegandEdge[], spikes: readonly { at: number; line: 0 | 1; widthUs: number }[]) {
  // `out` holds (leading, trailing) pairs until the final sort.
  const out = [...edges];
  const busy = (line: 0 | 1, from: number, to: number) => {
    for (let i = 0; i + 1 < out.length; i += 2) {
      const a = out[i];
      const b = out[i + 1];
      if (a && b && a.line === line && a.atMs <= to + 0.001 && b.atMs >= from - 0.001) return true;
    }
    return false;
  };
  for (const g of spikes) {
    const w = g.widthUs / 1000;
    if (busy(g.line, g.at, g.at + w)) continue;
    out.push({ line: g.line, active: true, atMs: g.at }, { line: g.line, active: false, atMs: g.at + w });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

describe("Wiegand decoder under fuzz", () => {
  it("never throws on arbitrary edge streams, and any card it reports has valid parity", () => {
    const arbEdge = fc.record({
      line: fc.constantFrom<0 | 1>(0, 1),
      active: fc.boolean(),
      dt: fc.oneof(
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.constantFrom(-1, Number.NaN, Number.POSITIVE_INFINITY),
      ),
    });
    fc.assert(
      fc.property(fc.array(arbEdge, { maxLength: 300 }), (steps) => {
        let t = 0;
        const edges = steps.map((s) => {
          t = Number.isFinite(s.dt) ? t + s.dt : t;
          return { line: s.line, active: s.active, atMs: Number.isFinite(s.dt) && s.dt >= 0 ? t : s.dt };
        });
        const out = decodeAll(edges);
        for (const r of out) {
          if (r.type !== "card") continue;
          const layout = LAYOUTS.find((l) => l.name === r.value.format) as WiegandLayout;
          const bits = encodeCard(layout, {
            ...(r.value.facility === undefined ? {} : { facility: r.value.facility }),
            card: r.value.card,
          });
          expect(decodeCard(bits, layout).ok).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("decodes exactly the frames sent, through jitter and glitches", () => {
    const arbSpike = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      line: fc.constantFrom<0 | 1>(0, 1),
      widthUs: fc.double({ min: 0.5, max: 8, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            frame: arbFrame,
            timing: arbTiming,
            gapMs: fc.double({ min: 30, max: 200, noNaN: true }),
          }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.array(arbSpike, { maxLength: 40 }),
        fc.integer(),
        (frames, spikes, seed) => {
          let rng = seed;
          const random = () => {
            rng = (rng * 1103515245 + 12345) & 0x7fffffff;
            return rng / 0x80000000;
          };
          let t = 10;
          const edges: WiegandEdge[] = [];
          for (const f of frames) {
            edges.push(...bitsToEdges(f.frame.bits, t, f.timing, random));
            t += (f.frame.bits.length - 1) * f.timing.intervalMs + f.timing.pulseMs + f.gapMs;
          }
          const noisy = addGlitches(
            edges,
            spikes.map((s) => ({ ...s, at: s.at * t })),
          );
          const got = decodeAll(noisy).map(label).filter(Boolean);
          expect(got).toEqual(frames.map((f) => f.frame.label));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never decodes a damaged card frame: a flipped bit, a dropped bit, a truncation", () => {
    const arbDamage = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
      fc.record({ kind: fc.constant("drop" as const), at: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
      fc.record({
        kind: fc.constant("truncate" as const),
        at: fc.double({ min: 0, max: 0.999, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(
        arbFrame.filter((f) => f.bits.length > 8),
        arbDamage,
        arbTiming,
        (frame, damage, timing) => {
          const i = Math.floor(damage.at * frame.bits.length);
          let bits: string;
          if (damage.kind === "flip")
            bits = frame.bits.slice(0, i) + (frame.bits[i] === "1" ? "0" : "1") + frame.bits.slice(i + 1);
          else if (damage.kind === "drop") bits = frame.bits.slice(0, i) + frame.bits.slice(i + 1);
          else bits = frame.bits.slice(0, Math.max(i, 9));
          if (bits === frame.bits) return; // truncating at the full length damages nothing
          const out = decodeAll(bitsToEdges(bits, 0, timing));
          expect(out.filter((r) => r.type === "card" || r.type === "key")).toEqual([]);
          expect(out.map((r) => r.type)).toEqual(["rejected"]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
