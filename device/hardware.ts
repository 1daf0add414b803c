import type { CardReader } from "./ports/card-reader.ts";
import type { Clock } from "./ports/clock.ts";
import type { FrameSource } from "./ports/frame-source.ts";
import type { GpioInput, GpioOutput } from "./ports/gpio.ts";
import type { IoBoard } from "./ports/io-board.ts";
import type { PassageCounter } from "./ports/passage-counter.ts";
import type { PresenceRadar } from "./ports/presence-radar.ts";
import type { HardwareProbe } from "./ports/probe.ts";
import type { TimeSource } from "./ports/time-source.ts";
import type { PowerHardware } from "./power-hardware.ts";

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
  /** read-only checks of these parts for `doctor` (GPIO sysfs and the chip base, ...) */
  readonly probes?: readonly HardwareProbe[];
  /** Modbus buses, outlet relays, smoke detector: present when the station file has them */
  readonly power?: PowerHardware | undefined;
  /** who is inside: present when the station file has an `occupancy` section */
  readonly occupancy?: OccupancyHardware | undefined;
  /** the door camera (or the simulator's image files) when face verification is configured */
  readonly faceCamera?: FrameSource | undefined;
}

/** The occupancy sensors and loads; each present only when configured. */
export interface OccupancyHardware {
  readonly radar?: PresenceRadar | undefined;
  readonly pir?: GpioInput | undefined;
  readonly beam?: PassageCounter | undefined;
  /** started by the occupancy subsystem before the outputs that may live on it */
  readonly board?: BoardHandle | undefined;
  readonly outputs: Partial<Record<"lights" | "ventilation" | "callLight" | "buzzer", GpioOutput>>;
}

/** The I/O board and the names of its analog channels. */
export interface BoardHandle {
  readonly board: IoBoard;
  /** named analog inputs by channel (A0 = 0) */
  readonly analog: Readonly<Record<string, number>>;
}
