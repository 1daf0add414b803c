import type { ByteLink } from "./ports/byte-link.ts";
import type { GpioInput, GpioOutput } from "./ports/gpio.ts";
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
  readonly smokeDetector?: GpioInput | undefined;
}
