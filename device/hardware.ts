import type { CardReader } from "./ports/card-reader.ts";
import type { Clock } from "./ports/clock.ts";
import type { GpioInput, GpioOutput } from "./ports/gpio.ts";
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
}
