import type { StationConfig } from "../config/schema.ts";
import { chooseHeaderChip, listGpioChips, sysfsNumber } from "./gpio/chip-base.ts";
import { DebouncedInput } from "./gpio/debounce.ts";
import { OnoffInput, OnoffOutput } from "./gpio/onoff-gpio.ts";
import type { Hardware } from "./hardware.ts";
import type { CardReader } from "./ports/card-reader.ts";
import type { Clock } from "./ports/clock.ts";

/**
 * Real GPIO on this board. Readers are passed in: the composition root builds each configured
 * reader (real drivers, or simulated ones when a technician bench-tests wiring without cards).
 */
export function createRealHardware(
  config: StationConfig,
  clock: Clock,
  readers: readonly CardReader[],
): Hardware {
  const gpio = config.hardware.gpio;
  const chip = chooseHeaderChip(listGpioChips(gpio.sysfsRoot));
  const input = (name: string, c: { pin: number; activeLow: boolean; debounceMs: number }) =>
    new DebouncedInput(
      new OnoffInput(name, sysfsNumber(chip, c.pin), c.activeLow, clock),
      c.debounceMs,
      clock,
    );
  return {
    label: `real GPIO on ${chip.label} (sysfs base ${chip.base})`,
    clock,
    lockRelay: new OnoffOutput("lockRelay", sysfsNumber(chip, gpio.lockRelay.pin), gpio.lockRelay.activeLow),
    doorContact: input("doorContact", gpio.doorContact),
    exitButton: input("exitButton", gpio.exitButton),
    readers,
  };
}
