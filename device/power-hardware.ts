import type { ByteLink } from "./ports/byte-link.ts";
import type { GpioOutput } from "./ports/gpio.ts";
import type { SmokeDetector } from "./ports/smoke-detector.ts";
import type { TemperatureProbe } from "./ports/temperature.ts";

/**
 * The ports of the outlets, the cabinet and the safety inputs: one byte link per Modbus bus (each
 * real or simulated on its own), the outlet relays, and the smoke detector.
 */
export interface PowerHardware {
  readonly buses: ReadonlyMap<string, ByteLink>;
  readonly outletRelays: ReadonlyMap<string, GpioOutput>;
  readonly outletTemperatures: ReadonlyMap<string, TemperatureProbe>;
  readonly cabinetPowerRelay?: GpioOutput | undefined;
  /** on a GPIO line, or on the I/O board (then with its health) */
  readonly smokeDetector?: SmokeDetector | undefined;
}
