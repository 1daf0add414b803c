import type { CardReader } from "./ports/card-reader.ts";
import type { Clock } from "./ports/clock.ts";
import type { GpioInput, GpioOutput } from "./ports/gpio.ts";

/**
 * Everything the controller may touch, built in one place (real drivers or the simulator) and
 * handed over whole. The controller never asks which kind it got.
 */
export interface Hardware {
  /** for the start-up log line only */
  readonly label: string;
  readonly clock: Clock;
  readonly lockRelay: GpioOutput;
  readonly doorContact: GpioInput;
  readonly exitButton: GpioInput;
  readonly readers: readonly CardReader[];
}
