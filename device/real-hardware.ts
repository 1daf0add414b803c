import type { StationConfig } from "../config/schema.ts";
import { CameraFrameSource } from "./face/camera-frame-source.ts";
import { chooseHeaderChip, listGpioChips, sysfsNumber } from "./gpio/chip-base.ts";
import { DebouncedInput } from "./gpio/debounce.ts";
import { configuredPins, probeGpio } from "./gpio/gpio-probe.ts";
import { OnoffInput, OnoffOutput } from "./gpio/onoff-gpio.ts";
import type { Hardware } from "./hardware.ts";
import type { CardReader } from "./ports/card-reader.ts";
import type { Clock } from "./ports/clock.ts";
import type { GpioOutput } from "./ports/gpio.ts";
import { LinuxTimeSource } from "./time/linux-time-source.ts";

type InputPin = { pin: number; activeLow: boolean; debounceMs: number };
type OutputPin = { pin: number; activeLow: boolean };

/** Builders for real GPIO lines on this board's header chip (BCM numbers, debounced inputs). */
export function realGpio(config: StationConfig, clock: Clock) {
  const chip = chooseHeaderChip(listGpioChips(config.hardware.gpio.sysfsRoot));
  return {
    chip,
    input: (name: string, c: InputPin) =>
      new DebouncedInput(
        new OnoffInput(name, sysfsNumber(chip, c.pin), c.activeLow, clock),
        c.debounceMs,
        clock,
      ),
    output: (name: string, c: OutputPin) => new OnoffOutput(name, sysfsNumber(chip, c.pin), c.activeLow),
  };
}

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
 * Other outputs with a safe level (outlet relays, the cabinet's contactor), each line alone, for
 * `waystation lock safe` and the start of `run`: `start()` opens a line and drives it inactive.
 */
export function createSafeOutputLines(
  sysfsRoot: string,
  outputs: readonly { name: string; pin: number; activeLow: boolean }[],
): OnoffOutput[] {
  if (outputs.length === 0) return [];
  const chip = chooseHeaderChip(listGpioChips(sysfsRoot));
  return outputs.map((o) => new OnoffOutput(o.name, sysfsNumber(chip, o.pin), o.activeLow));
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
  const { chip, input, output } = realGpio(config, clock);
  const optionalInput = (name: string, c: InputPin | undefined) => (c ? input(name, c) : undefined);
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
    probes: [
      {
        id: "gpio",
        title: "GPIO sysfs and the header chip",
        run: async () => probeGpio(gpio.sysfsRoot, configuredPins(gpio)),
      },
    ],
    faceCamera: config.face ? new CameraFrameSource(config.face.camera, clock) : undefined,
  };
}
