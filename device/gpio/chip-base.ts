import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StationError } from "../../config/errors.ts";

/**
 * Sysfs GPIO numbers are BCM numbers plus the main chip's base: 0 on old kernels, 512 (Pi 3/4)
 * or 571 (Pi 5, RP1) on Bookworm's 6.6+ kernels. Config always names BCM numbers.
 */
export interface GpioChip {
  readonly name: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

/** Labels of the chip that carries the 40-pin header on each Raspberry Pi generation. */
const HEADER_CHIP_LABELS = ["pinctrl-rp1", "pinctrl-bcm2712", "pinctrl-bcm2711", "pinctrl-bcm2835"];

export function listGpioChips(sysfsRoot: string): GpioChip[] {
  let entries: string[];
  try {
    entries = readdirSync(sysfsRoot);
  } catch (cause) {
    throw new StationError("GPIO_UNAVAILABLE", "gpio", `GPIO sysfs not found at ${sysfsRoot}`, {
      cause,
      hint: "this board has no sysfs GPIO (not a Raspberry Pi, or CONFIG_GPIO_SYSFS is off); use hardware.mode: simulated on a laptop",
    });
  }
  const chips: GpioChip[] = [];
  for (const name of entries.filter((e) => e.startsWith("gpiochip")).sort()) {
    const read = (f: string) => readFileSync(join(sysfsRoot, name, f), "utf8").trim();
    try {
      chips.push({ name, label: read("label"), base: Number(read("base")), ngpio: Number(read("ngpio")) });
    } catch {
      // An unreadable chip is not ours to use; the choice below reports what was found.
    }
  }
  return chips;
}

export function chooseHeaderChip(chips: readonly GpioChip[]): GpioChip {
  for (const label of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  const big = chips.filter((c) => c.ngpio >= 28);
  if (big.length === 1 && big[0]) return big[0];
  const found = chips.map((c) => `${c.name} "${c.label}" base ${c.base}`).join("; ") || "none";
  throw new StationError("GPIO_CHIP_NOT_FOUND", "gpio", `cannot tell which GPIO chip carries the header`, {
    hint: `chips found: ${found}. Known header chips: ${HEADER_CHIP_LABELS.join(", ")}`,
  });
}

export function sysfsNumber(chip: GpioChip, bcm: number): number {
  if (bcm < 0 || bcm >= chip.ngpio) {
    throw new StationError("GPIO_PIN_OUT_OF_RANGE", "gpio", `BCM ${bcm} is not on ${chip.label}`, {
      hint: `valid BCM numbers: 0-${chip.ngpio - 1}`,
    });
  }
  return chip.base + bcm;
}
