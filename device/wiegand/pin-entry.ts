import { KEY_HASH, KEY_STAR } from "./formats.ts";

/**
 * Keypad keys become a PIN: digits accumulate, `#` submits, `*` starts over, and a pause longer
 * than the timeout drops a half-typed PIN (someone walked away). Pure, like the decoder.
 */
export interface PinEntryState {
  readonly digits: string;
  readonly lastKeyMs: number | undefined;
}

export const initialPinEntry: PinEntryState = { digits: "", lastKeyMs: undefined };

export const MAX_PIN_DIGITS = 12;

export interface PinStep {
  readonly state: PinEntryState;
  /** the PIN typed, when `#` ended it */
  readonly submitted?: string;
  /** why a half-typed PIN was dropped */
  readonly dropped?: "timeout" | "cleared" | "too-long";
}

export function pressKey(s0: PinEntryState, key: number, atMs: number, timeoutMs: number): PinStep {
  let s = s0;
  let dropped: PinStep["dropped"];
  if (s.digits !== "" && s.lastKeyMs !== undefined && atMs - s.lastKeyMs > timeoutMs) {
    s = initialPinEntry;
    dropped = "timeout";
  }
  if (key === KEY_STAR) {
    return { state: { digits: "", lastKeyMs: atMs }, ...(s.digits ? { dropped: "cleared" as const } : {}) };
  }
  if (key === KEY_HASH) {
    if (s.digits === "") return { state: { digits: "", lastKeyMs: atMs }, ...(dropped ? { dropped } : {}) };
    return { state: { digits: "", lastKeyMs: atMs }, submitted: s.digits };
  }
  if (s.digits.length >= MAX_PIN_DIGITS)
    return { state: { digits: "", lastKeyMs: atMs }, dropped: "too-long" };
  return { state: { digits: s.digits + String(key), lastKeyMs: atMs }, ...(dropped ? { dropped } : {}) };
}
