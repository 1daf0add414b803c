import type { StationConfig } from "../../config/schema.ts";
import { chooseHeaderChip, listGpioChips, sysfsNumber } from "../gpio/chip-base.ts";
import { DebouncedInput } from "../gpio/debounce.ts";
import { OnoffInput, OnoffOutput } from "../gpio/onoff-gpio.ts";
import type { Clock } from "../ports/clock.ts";
import type { GpioInput, GpioOutput } from "../ports/gpio.ts";

/** Outlet relays, the cabinet contactor and the smoke detector on this board's GPIO (onoff). */
export function createRealPowerGpio(
  config: StationConfig,
  clock: Clock,
): { outletRelays: Map<string, GpioOutput>; cabinetPowerRelay?: GpioOutput; smokeDetector?: GpioInput } {
  const chip = chooseHeaderChip(listGpioChips(config.hardware.gpio.sysfsRoot));
  const outletRelays = new Map<string, GpioOutput>();
  for (const o of config.outlets?.list ?? [])
    outletRelays.set(
      o.id,
      new OnoffOutput(`relay:${o.id}`, sysfsNumber(chip, o.relay.pin), o.relay.activeLow),
    );
  const s = config.safety;
  return {
    outletRelays,
    ...(s.cabinetPowerRelay
      ? {
          cabinetPowerRelay: new OnoffOutput(
            "cabinetPowerRelay",
            sysfsNumber(chip, s.cabinetPowerRelay.pin),
            s.cabinetPowerRelay.activeLow,
          ),
        }
      : {}),
    // A detector on the I/O board is built with the board (scripts/power.ts, boardSmokeDetector).
    ...(s.smokeDetector && "pin" in s.smokeDetector
      ? {
          smokeDetector: new DebouncedInput(
            new OnoffInput(
              "smokeDetector",
              sysfsNumber(chip, s.smokeDetector.pin),
              s.smokeDetector.activeLow,
              clock,
            ),
            s.smokeDetector.debounceMs,
            clock,
          ),
        }
      : {}),
  };
}
