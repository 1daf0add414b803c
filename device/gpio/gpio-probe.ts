import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { isStationError } from "../../config/errors.ts";
import type { ProbeResult } from "../ports/probe.ts";
import { chooseHeaderChip, listGpioChips, sysfsNumber } from "./chip-base.ts";

/**
 * GPIO sysfs accessible to this process, the header's chip found (and its base), every
 * configured pin on it. Read-only: nothing is exported.
 */
export function probeGpio(sysfsRoot: string, pins: Record<string, number>): ProbeResult {
  try {
    const chip = chooseHeaderChip(listGpioChips(sysfsRoot));
    for (const [name, bcm] of Object.entries(pins)) {
      try {
        sysfsNumber(chip, bcm);
      } catch (err) {
        if (!isStationError(err)) throw err;
        return {
          ok: false,
          detail: `${name}: ${err.message}`,
          hint: err.details.hint ?? "fix hardware.gpio",
        };
      }
    }
    try {
      accessSync(join(sysfsRoot, "export"), constants.W_OK);
    } catch {
      return {
        ok: false,
        detail: `${join(sysfsRoot, "export")} is not writable by this user`,
        hint: "run as the service user (in group gpio): sudo usermod -aG gpio waystation, or sudo waystation doctor",
      };
    }
    return {
      ok: true,
      detail: `${chip.label} (${chip.name}, sysfs base ${chip.base}); pins ${Object.values(pins).join(", ")}`,
    };
  } catch (err) {
    if (!isStationError(err)) throw err;
    return { ok: false, detail: err.message, hint: err.details.hint ?? "" };
  }
}

/** The BCM numbers of every configured line, by name. */
export function configuredPins(gpio: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(gpio)) {
    const pin = (v as { pin?: unknown } | undefined)?.pin;
    if (typeof pin === "number") out[name] = pin;
  }
  return out;
}
