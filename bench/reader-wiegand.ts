import { performance } from "node:perf_hooks";
import {
  DEFAULT_DECODER,
  type DecodeResult,
  type DecoderOptions,
  type DecoderState,
  feed,
  initialDecoderState,
  tick,
  type WiegandEdge,
} from "../device/wiegand/decoder.ts";
import {
  encodeCard,
  WIEGAND_26,
  WIEGAND_34,
  WIEGAND_37,
  type WiegandLayout,
} from "../device/wiegand/formats.ts";
import { bitsToEdges } from "../device/wiegand/signal.ts";
import { type BenchResult, result, round } from "./report.ts";

/**
 * The naive decoder a first attempt would write: keep every edge, and at the end of the frame
 * sort them, pair each fall with the next rise on its line, and parse the bit string with
 * array and string operations. Same checks (glitch width, parity), no incremental state.
 */
class NaiveDecoder {
  private edges: WiegandEdge[] = [];
  constructor(private readonly opts: DecoderOptions) {}

  edge(e: WiegandEdge): DecodeResult[] {
    const last = this.edges[this.edges.length - 1];
    const out = last && e.atMs - last.atMs >= this.opts.frameTimeoutMs ? this.end(last.atMs) : [];
    this.edges.push(e);
    return out;
  }

  end(atMs: number): DecodeResult[] {
    const edges = [...this.edges].sort((a, b) => a.atMs - b.atMs);
    this.edges = [];
    const bits: number[] = [];
    edges.forEach((e, i) => {
      if (!e.active) return;
      const rise = edges.slice(i + 1).find((r) => r.line === e.line && !r.active);
      const width = rise ? rise.atMs - e.atMs : 0;
      if (width >= this.opts.minPulseMs && width <= this.opts.maxPulseMs) bits.push(e.line);
    });
    const layout = this.opts.layouts.find((l) => l.bits === bits.length);
    if (!layout) return [{ type: "rejected", reason: "length", bits: bits.length, atMs }];
    for (const p of layout.parity) {
      const ones = p.over.map((i) => bits[i]).filter((b) => b === 1).length + (bits[p.bit] ?? 0);
      if ((ones % 2 === 0) !== (p.type === "even"))
        return [{ type: "rejected", reason: "parity", bits: bits.length, atMs }];
    }
    const field = (start: number, length: number) =>
      Number.parseInt(bits.slice(start, start + length).join(""), 2);
    const facility = layout.facility ? field(layout.facility.start, layout.facility.length) : undefined;
    const card = field(layout.card.start, layout.card.length);
    const idBits = [
      ...(layout.facility
        ? bits.slice(layout.facility.start, layout.facility.start + layout.facility.length)
        : []),
      ...bits.slice(layout.card.start, layout.card.start + layout.card.length),
    ];
    while (idBits.length % 8) idBits.unshift(0);
    const identifier = Uint8Array.from({ length: idBits.length / 8 }, (_, i) =>
      Number.parseInt(idBits.slice(i * 8, i * 8 + 8).join(""), 2),
    );
    return [
      {
        type: "card",
        value: { format: layout.name, facility, card, identifier },
        bits: bits.length,
        atMs,
      },
    ];
  }
}

const OPTS: DecoderOptions = { ...DEFAULT_DECODER, layouts: [WIEGAND_26, WIEGAND_34, WIEGAND_37] };

/** A stream of frames with realistic timing and jitter, 40 ms apart. */
function stream(frames: number): { edges: WiegandEdge[]; cards: number } {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const layouts: WiegandLayout[] = [WIEGAND_26, WIEGAND_34, WIEGAND_37];
  const edges: WiegandEdge[] = [];
  let t = 0;
  for (let i = 0; i < frames; i++) {
    const layout = layouts[i % layouts.length] ?? WIEGAND_26;
    const bits = encodeCard(layout, {
      ...(layout.facility ? { facility: i % 2 ** layout.facility.length } : {}),
      card: (i * 7919) % 2 ** 16,
    });
    edges.push(...bitsToEdges(bits, t, { pulseMs: 0.05, intervalMs: 1, jitterMs: 0.05 }, random));
    t += bits.length + 40;
  }
  return { edges, cards: frames };
}

function ours(edges: readonly WiegandEdge[]): number {
  let s: DecoderState = initialDecoderState;
  let cards = 0;
  for (const e of edges) {
    const r = feed(s, e, OPTS);
    s = r.state;
    for (const o of r.out) if (o.type === "card") cards++;
  }
  for (const o of tick(s, Number.POSITIVE_INFINITY, OPTS).out) if (o.type === "card") cards++;
  return cards;
}

function naive(edges: readonly WiegandEdge[]): number {
  const d = new NaiveDecoder(OPTS);
  let cards = 0;
  for (const e of edges) for (const o of d.edge(e)) if (o.type === "card") cards++;
  for (const o of d.end(Number.POSITIVE_INFINITY)) if (o.type === "card") cards++;
  return cards;
}

function framesPerSecond(
  decode: (edges: readonly WiegandEdge[]) => number,
  edges: WiegandEdge[],
  frames: number,
) {
  if (decode(edges) !== frames) throw new Error("a decoder lost frames");
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    decode(edges);
    rates.push(frames / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[2] ?? 0;
}

export function benchWiegandDecode(frames: number): BenchResult {
  const { edges } = stream(frames);
  const fps = framesPerSecond(ours, edges, frames);
  const naiveFps = framesPerSecond(naive, edges, frames);
  return result(
    {
      name: "reader.wiegand.decode",
      metric: "frames_per_s",
      value: round(fps, 0),
      unit: "frames/s",
      params: { frames, formats: "26/34/37-bit, jittered" },
      baseline: { name: "naive decoder (collect edges, parse at frame end)", value: round(naiveFps, 0) },
    },
    { higherIsBetter: true },
  );
}
