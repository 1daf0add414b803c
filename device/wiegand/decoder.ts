import { decodeCard, decodeKey, type WiegandCard, type WiegandLayout } from "./formats.ts";

/**
 * The Wiegand decoder: a pure function of timestamped edges. No clock, no timers, no I/O —
 * the driver feeds it edges and, when the lines have been quiet, a `tick`. Edge times are
 * monotonic milliseconds as floats, so microsecond pulse widths survive.
 *
 * A bit is a low pulse on D0 (0) or D1 (1): leading edge (line goes active/low), trailing edge
 * (back to idle/high). Pulses shorter than `minPulseMs` are glitches and vanish; a frame ends
 * after `frameTimeoutMs` without an edge.
 */
export type WiegandLine = 0 | 1;

export interface WiegandEdge {
  readonly line: WiegandLine;
  /** true = the line went low (active); false = it went back high */
  readonly active: boolean;
  readonly atMs: number;
}

export interface DecoderOptions {
  /** card layouts accepted, by bit length (at most one per length) */
  readonly layouts: readonly WiegandLayout[];
  readonly keypad4: boolean;
  readonly keypad8: boolean;
  readonly frameTimeoutMs: number;
  readonly minPulseMs: number;
  readonly maxPulseMs: number;
  /** leading edges closer than this are not two bits (Wiegand spaces bits >= 200 us) */
  readonly minIntervalMs: number;
}

export const DEFAULT_DECODER: Omit<DecoderOptions, "layouts"> = {
  keypad4: true,
  keypad8: true,
  frameTimeoutMs: 25,
  minPulseMs: 0.01,
  maxPulseMs: 1,
  minIntervalMs: 0.15,
};

/** Float slack for comparing times (1 ns), so `lastEdge + timeout` counts as the timeout. */
const EPS = 1e-6;

/** Frames above this length are noise or a stuck line: no reader sends them. */
export const MAX_FRAME_BITS = 64;

export type DecodeResult =
  | { readonly type: "card"; readonly value: WiegandCard; readonly bits: number; readonly atMs: number }
  | { readonly type: "key"; readonly key: number; readonly bits: 4 | 8; readonly atMs: number }
  /** a frame that could carry a credential but does not decode: worth an event */
  | { readonly type: "rejected"; readonly reason: string; readonly bits: number; readonly atMs: number }
  /** 1-3 stray bits: line noise, counted but not reported as a card */
  | { readonly type: "noise"; readonly bits: number; readonly atMs: number };

export interface DecoderState {
  readonly bits: string;
  /** start of the pulse on D0 / D1 whose trailing edge has not come yet */
  readonly pending0: number | undefined;
  readonly pending1: number | undefined;
  readonly lastEdgeMs: number | undefined;
  /** start and end of the last bit's pulse */
  readonly lastBitMs: number | undefined;
  readonly lastBitEndMs: number | undefined;
  /** the first problem seen in this frame; the frame is refused at its end */
  readonly fault: string | undefined;
  /** glitches dropped since the decoder started (a health figure) */
  readonly glitches: number;
}

export const initialDecoderState: DecoderState = {
  bits: "",
  pending0: undefined,
  pending1: undefined,
  lastEdgeMs: undefined,
  lastBitMs: undefined,
  lastBitEndMs: undefined,
  fault: undefined,
  glitches: 0,
};

export interface Step {
  readonly state: DecoderState;
  readonly out: readonly DecodeResult[];
}

const NONE: readonly DecodeResult[] = [];

/**
 * Each transition copies the state once into a draft and edits the draft: the caller's state is
 * never touched (the decoder stays a pure function) and an edge costs one allocation, not one
 * per field changed.
 */
type Draft = { -readonly [K in keyof DecoderState]: DecoderState[K] };

/** Records the frame's first problem. Outside a frame (nothing pending, no bits) there is nothing to spoil. */
function fault(d: Draft, why: string): void {
  if (d.fault || (d.bits === "" && d.pending0 === undefined && d.pending1 === undefined)) return;
  d.fault = why;
}

const us = (ms: number) => `${(ms * 1000).toFixed(0)} us`;

/** Adds the bit of a pulse from `startMs` to `endMs` (endMs = startMs when its end was missed). */
function commit(d: Draft, line: WiegandLine, startMs: number, endMs: number, o: DecoderOptions): void {
  if (d.bits.length >= MAX_FRAME_BITS) {
    fault(d, `more than ${MAX_FRAME_BITS} bits`);
    return;
  }
  let why: string | undefined;
  if (d.lastBitEndMs !== undefined && startMs < d.lastBitEndMs) why = "D0 and D1 low together";
  else if (d.lastBitMs !== undefined && startMs - d.lastBitMs < o.minIntervalMs) {
    why = `bits ${us(startMs - d.lastBitMs)} apart`;
  }
  d.bits += line === 0 ? "0" : "1";
  d.lastBitMs = startMs;
  d.lastBitEndMs = endMs;
  if (why) fault(d, why);
}

function copy(s: DecoderState): Draft {
  return {
    bits: s.bits,
    pending0: s.pending0,
    pending1: s.pending1,
    lastEdgeMs: s.lastEdgeMs,
    lastBitMs: s.lastBitMs,
    lastBitEndMs: s.lastBitEndMs,
    fault: s.fault,
    glitches: s.glitches,
  };
}

function setPending(d: Draft, line: WiegandLine, v: number | undefined): void {
  if (line === 0) d.pending0 = v;
  else d.pending1 = v;
}

/**
 * When the frame last did something: the end of its last bit or the start of a pulse still
 * low. Glitches and stray edges do not count, so noise after a frame cannot hold it open.
 */
function activity(s: DecoderState): number | undefined {
  let t = s.lastBitEndMs;
  if (s.pending0 !== undefined && (t === undefined || s.pending0 > t)) t = s.pending0;
  if (s.pending1 !== undefined && (t === undefined || s.pending1 > t)) t = s.pending1;
  return t;
}

/** Interprets a finished frame. Exported for tables; `feed`/`tick` call it. */
export function interpret(
  bits: string,
  frameFault: string | undefined,
  atMs: number,
  o: DecoderOptions,
): DecodeResult[] {
  const n = bits.length;
  if (n === 0) return [];
  if (n < 4) return [{ type: "noise", bits: n, atMs }];
  if (frameFault) return [{ type: "rejected", reason: frameFault, bits: n, atMs }];
  if ((n === 4 && o.keypad4) || (n === 8 && o.keypad8)) {
    const k = decodeKey(bits);
    return [
      k.ok
        ? { type: "key", key: k.key, bits: n as 4 | 8, atMs }
        : { type: "rejected", reason: k.reason, bits: n, atMs },
    ];
  }
  const layout = o.layouts.find((l) => l.bits === n);
  if (!layout) return [{ type: "rejected", reason: `no accepted format has ${n} bits`, bits: n, atMs }];
  const c = decodeCard(bits, layout);
  return [
    c.ok
      ? { type: "card", value: c.value, bits: n, atMs }
      : { type: "rejected", reason: c.reason, bits: n, atMs },
  ];
}

function finish(s: DecoderState, atMs: number, o: DecoderOptions): Step {
  // A line still low a whole frame timeout after its leading edge is stuck (a short, a dead
  // reader pulling it down): that spoils the frame.
  let why = s.fault;
  if (!why && s.pending0 !== undefined) why = "line D0 held low";
  if (!why && s.pending1 !== undefined) why = "line D1 held low";
  return {
    state: s.glitches === 0 ? initialDecoderState : { ...initialDecoderState, glitches: s.glitches },
    out: interpret(s.bits, why, atMs, o),
  };
}

/** The lines have been quiet until `nowMs`: end the frame if the timeout has passed. */
export function tick(s: DecoderState, nowMs: number, o: DecoderOptions): Step {
  const act = activity(s);
  if (act === undefined || nowMs - act < o.frameTimeoutMs - EPS) return { state: s, out: NONE };
  return finish(s, act + o.frameTimeoutMs, o);
}

/** When `tick` would end the current frame, if one is open: what a driver sets its timer for. */
export function frameDeadline(s: DecoderState, o: DecoderOptions): number | undefined {
  const act = activity(s);
  return act === undefined ? undefined : act + o.frameTimeoutMs;
}

/** One edge on D0 or D1. Never throws, whatever the input. */
export function feed(s0: DecoderState, e: WiegandEdge, o: DecoderOptions): Step {
  let out: readonly DecodeResult[] = NONE;
  let d: Draft;
  if (!Number.isFinite(e.atMs) || (e.line !== 0 && e.line !== 1)) {
    d = copy(s0);
    fault(d, "malformed edge");
    return { state: d, out };
  }
  const act = activity(s0);
  if (act !== undefined && e.atMs - act >= o.frameTimeoutMs - EPS) {
    const done = finish(s0, act + o.frameTimeoutMs, o);
    d = copy(done.state);
    d.lastEdgeMs = s0.lastEdgeMs;
    out = done.out;
  } else {
    d = copy(s0);
  }
  if (d.lastEdgeMs !== undefined && e.atMs < d.lastEdgeMs) fault(d, "edge times go backwards");
  const started = e.line === 0 ? d.pending0 : d.pending1;
  if (e.active) {
    // A second leading edge on a line already low, or a pulse on the other line long after this
    // one should have ended: its trailing edge was missed. Keep the bit(s), oldest first.
    const other: WiegandLine = e.line === 0 ? 1 : 0;
    const otherStart = other === 0 ? d.pending0 : d.pending1;
    const otherStale = otherStart !== undefined && e.atMs - otherStart > o.maxPulseMs;
    if (otherStale && (started === undefined || otherStart < started)) {
      commit(d, other, otherStart, otherStart, o);
      setPending(d, other, undefined);
    }
    if (started !== undefined) commit(d, e.line, started, started, o);
    if (otherStale && started !== undefined && otherStart >= started) {
      commit(d, other, otherStart, otherStart, o);
      setPending(d, other, undefined);
    }
    setPending(d, e.line, e.atMs);
  } else if (started !== undefined) {
    const width = e.atMs - started;
    setPending(d, e.line, undefined);
    if (width < o.minPulseMs) d.glitches++;
    else if (width > o.maxPulseMs) {
      // Fault before the pending pulse is cleared, so a first pulse that is too long still counts.
      setPending(d, e.line, started);
      fault(d, `pulse of ${us(width)} on D${e.line}`);
      setPending(d, e.line, undefined);
    } else commit(d, e.line, started, e.atMs, o);
  }
  // A trailing edge with no pulse started (its leading edge was missed, or noise) adds nothing:
  // the frame comes out a bit short and is refused rather than guessed.
  if (d.lastEdgeMs === undefined || e.atMs > d.lastEdgeMs) d.lastEdgeMs = e.atMs;
  return { state: d, out };
}

/** Decode a whole recorded edge stream, flushing the last frame after its timeout (captures, tests). */
export function decodeStream(edges: readonly WiegandEdge[], o: DecoderOptions): DecodeResult[] {
  let s: DecoderState = initialDecoderState;
  const out: DecodeResult[] = [];
  let last = 0;
  for (const e of edges) {
    const r = feed(s, e, o);
    s = r.state;
    out.push(...r.out);
    if (Number.isFinite(e.atMs)) last = Math.max(last, e.atMs);
  }
  out.push(...tick(s, last + o.frameTimeoutMs + 1, o).out);
  return out;
}
