import type { WiegandEdge } from "./decoder.ts";

/**
 * The line side of the codec: the edges a reader puts on D0/D1 for a frame. The simulated reader
 * drives its lines from this; tests and the bench feed it to the decoder.
 */
export interface PulseTiming {
  /** low time of each pulse (typ. 0.05 ms) */
  readonly pulseMs: number;
  /** leading edge to leading edge (typ. 2 ms) */
  readonly intervalMs: number;
  /** each pulse start moves by up to +/- this much (reader clock jitter) */
  readonly jitterMs?: number;
}

export const TYPICAL_TIMING: PulseTiming = { pulseMs: 0.05, intervalMs: 2, jitterMs: 0 };

/** Edges of `bits` starting at `startMs`; `random` in [0, 1) drives the jitter. */
export function bitsToEdges(
  bits: string,
  startMs: number,
  timing: PulseTiming,
  random: () => number = Math.random,
): WiegandEdge[] {
  const edges: WiegandEdge[] = [];
  const jitter = timing.jitterMs ?? 0;
  for (let i = 0; i < bits.length; i++) {
    const line = bits[i] === "1" ? 1 : 0;
    const t = startMs + i * timing.intervalMs + (jitter > 0 ? (random() * 2 - 1) * jitter : 0);
    edges.push({ line, active: true, atMs: t }, { line, active: false, atMs: t + timing.pulseMs });
  }
  return edges;
}

/** How long a frame of `n` bits occupies the lines, first leading edge to last trailing edge. */
export function frameDurationMs(n: number, timing: PulseTiming): number {
  return n === 0 ? 0 : (n - 1) * timing.intervalMs + timing.pulseMs;
}
