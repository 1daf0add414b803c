/**
 * A different unknown card for each call: bursts of reads must not be folded into one by the
 * re-read suppression (the same card within access.rereadSuppressMs gives one decision).
 */
let n = 0;
export function nextUnknownUid(): string {
  n = (n + 1) % 0x00ffffff;
  return (0x0b000000 + n).toString(16).toUpperCase().padStart(8, "0");
}
