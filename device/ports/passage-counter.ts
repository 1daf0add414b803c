import type { BeamResult } from "../beam/beam-pair.ts";

export type CounterHealth = "good" | "suspect";

/**
 * A doorway counter (a beam-break pair): each passage is `in`, `out` or `confused`. `suspect`
 * while a beam stays broken far longer than anyone takes to pass (misaligned, blocked, dirty).
 */
export interface PassageCounter {
  start(): Promise<void>;
  stop(): Promise<void>;
  onPassage(listener: (result: BeamResult, atMs: number) => void): () => void;
  health(): { health: CounterHealth; detail?: string | undefined };
  /** each beam's level now: true = broken */
  beams(): { outer: boolean; inner: boolean };
  onHealth(listener: (h: { health: CounterHealth; detail?: string | undefined }) => void): () => void;
}
