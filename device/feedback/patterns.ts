import type { ReaderSignal } from "../ports/card-reader.ts";

/**
 * What a reader's LED and buzzer do for each signal, as steps of (green, red, beep, ms). A person
 * at the door must tell them apart without reading anything: one long green with one short beep
 * is yes; three red flashes with three beeps is no; a long red with a long beep is "stop trying".
 */
export interface FeedbackStep {
  readonly green: boolean;
  readonly red: boolean;
  readonly beep: boolean;
  readonly ms: number;
}

const step = (green: boolean, red: boolean, beep: boolean, ms: number): FeedbackStep => ({
  green,
  red,
  beep,
  ms,
});

export const FEEDBACK_PATTERNS: Readonly<Record<ReaderSignal, readonly FeedbackStep[]>> = {
  grant: [step(true, false, true, 150), step(true, false, false, 1350)],
  deny: [
    step(false, true, true, 120),
    step(false, false, false, 100),
    step(false, true, true, 120),
    step(false, false, false, 100),
    step(false, true, true, 120),
  ],
  lockout: [step(false, true, true, 1500), step(false, true, false, 1500)],
};

export function patternDuration(signal: ReaderSignal): number {
  return FEEDBACK_PATTERNS[signal].reduce((t, s) => t + s.ms, 0);
}
