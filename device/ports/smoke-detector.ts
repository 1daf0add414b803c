import type { GpioInput } from "./gpio.ts";

export interface SmokeDetectorHealth {
  /** the detector's level is being read (a GPIO line always is; a board's pin while the board reports) */
  readonly online: boolean;
  readonly detail?: string | undefined;
}

/**
 * The smoke detector: a debounced line, active = smoke, on the controller's GPIO or on the I/O
 * board. A board can be unplugged or hang; then `health()` says so and the last level stays.
 */
export interface SmokeDetector extends GpioInput {
  health?(): SmokeDetectorHealth;
  onHealth?(listener: (health: SmokeDetectorHealth) => void): () => void;
}
