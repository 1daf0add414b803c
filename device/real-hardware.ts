import type { StationConfig } from "../config/schema.ts";
import { chooseHeaderChip, listGpioChips, sysfsNumber } from "./gpio/chip-base.ts";
import { DebouncedInput } from "./gpio/debounce.ts";
import { OnoffInput, OnoffOutput } from "./gpio/onoff-gpio.ts";
import type { Hardware } from "./hardware.ts";
import type { CardReader } from "./ports/card-reader.ts";
import type { Clock } from "./ports/clock.ts";
import type { GpioOutput } from "./ports/gpio.ts";
import { LinuxTimeSource } from "./time/linux-time-source.ts";

type InputPin = { pin: number; activeLow: boolean; debounceMs: number };
type OutputPin = { pin: number; activeLow: boolean };

/**
 * The lock relay's line alone: what `waystation lock safe` and the first step of `run` drive to
 * the safe level, before anything else of the station is loaded. Reads only the station file's
 * GPIO section and the sysfs chip list.
 */
export function createLockRelay(gpio: {
  readonly lockRelay: OutputPin;
  readonly sysfsRoot: string;
}): OnoffOutput {
  const chip = chooseHeaderChip(listGpioChips(gpio.sysfsRoot));
  return new OnoffOutput("lockRelay", sysfsNumber(chip, gpio.lockRelay.pin), gpio.lockRelay.activeLow);
}

/**
 * Real GPIO on this board. Readers are passed in: the composition root builds each configured
 * reader with its own driver. `lockRelay`: the line already opened (and driven safe) at start.
 */
export function createRealHardware(
  config: StationConfig,
  clock: Clock,
  readers: readonly CardReader[],
  lockRelay?: GpioOutput,
): Hardware {
  const gpio = config.hardware.gpio;
  const chip = chooseHeaderChip(listGpioChips(gpio.sysfsRoot));
  const input = (name: string, c: InputPin) =>
    new DebouncedInput(
      new OnoffInput(name, sysfsNumber(chip, c.pin), c.activeLow, clock),
      c.debounceMs,
      clock,
    );
  const optionalInput = (name: string, c: InputPin | undefined) => (c ? input(name, c) : undefined);
  const output = (name: string, c: OutputPin) => new OnoffOutput(name, sysfsNumber(chip, c.pin), c.activeLow);
  return {
    label: `real GPIO on ${chip.label} (sysfs base ${chip.base})`,
    clock,
    timeSource: new LinuxTimeSource(clock),
    lockRelay: lockRelay ?? output("lockRelay", gpio.lockRelay),
    doorContact: input("doorContact", gpio.doorContact),
    exitButton: input("exitButton", gpio.exitButton),
    fireAlarm: optionalInput("fireAlarm", gpio.fireAlarm),
    tamper: optionalInput("tamper", gpio.tamper),
    onBattery: optionalInput("onBattery", gpio.onBattery),
    alarmSounder: gpio.alarmSounder ? output("alarmSounder", gpio.alarmSounder) : undefined,
    readers,
  };
}
