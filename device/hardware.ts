import type { CardReader } from "./ports/card-reader.ts";
import type { Clock } from "./ports/clock.ts";
import type { FrameSource } from "./ports/frame-source.ts";
import type { GpioInput, GpioOutput } from "./ports/gpio.ts";
import type { TimeSource } from "./ports/time-source.ts";

/**
 * Everything the controller may touch, built in one place (real drivers or the simulator) and
 * handed over whole. The controller never asks which kind it got.
 */
export interface Hardware {
  /** for the start-up log line only */
  readonly label: string;
  readonly clock: Clock;
  readonly timeSource: TimeSource;
  readonly lockRelay: GpioOutput;
  readonly doorContact: GpioInput;
  readonly exitButton: GpioInput;
  readonly fireAlarm?: GpioInput | undefined;
  readonly tamper?: GpioInput | undefined;
  readonly onBattery?: GpioInput | undefined;
  readonly alarmSounder?: GpioOutput | undefined;
  readonly readers: readonly CardReader[];
  /** the door camera (or the simulator's image files) when face verification is configured */
  readonly faceCamera?: FrameSource | undefined;
}
