import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStationError } from "../../config/errors.ts";
import { chooseHeaderChip, listGpioChips, sysfsNumber } from "./chip-base.ts";

/** A fake /sys/class/gpio with the chips a given kernel exposes. */
function fakeSysfs(chips: { name: string; label: string; base: number; ngpio: number }[]): string {
  const root = mkdtempSync(join(tmpdir(), "ws-gpio-"));
  writeFileSync(join(root, "export"), "");
  for (const c of chips) {
    mkdirSync(join(root, c.name));
    writeFileSync(join(root, c.name, "label"), `${c.label}\n`);
    writeFileSync(join(root, c.name, "base"), `${c.base}\n`);
    writeFileSync(join(root, c.name, "ngpio"), `${c.ngpio}\n`);
  }
  return root;
}

describe("GPIO chip base (BCM numbers on every kernel)", () => {
  it.each([
    {
      board: "Pi 4, Bookworm 6.6",
      chips: [
        { name: "gpiochip512", label: "pinctrl-bcm2711", base: 512, ngpio: 58 },
        { name: "gpiochip570", label: "raspberrypi-exp-gpio", base: 570, ngpio: 8 },
      ],
      bcm17: 529,
    },
    {
      board: "Pi 5, Bookworm",
      chips: [
        { name: "gpiochip512", label: "gpio-brcmstb@107d508500", base: 512, ngpio: 32 },
        { name: "gpiochip571", label: "pinctrl-rp1", base: 571, ngpio: 54 },
      ],
      bcm17: 588,
    },
    {
      board: "Pi 3, Bullseye 5.15",
      chips: [{ name: "gpiochip0", label: "pinctrl-bcm2835", base: 0, ngpio: 54 }],
      bcm17: 17,
    },
    {
      board: "an unknown board with one big chip",
      chips: [{ name: "gpiochip0", label: "some-soc-gpio", base: 100, ngpio: 64 }],
      bcm17: 117,
    },
  ])("$board: BCM 17 is sysfs $bcm17", ({ chips, bcm17 }) => {
    const chip = chooseHeaderChip(listGpioChips(fakeSysfs(chips)));
    expect(sysfsNumber(chip, 17)).toBe(bcm17);
  });

  it("says clearly when there is no GPIO sysfs at all", () => {
    try {
      listGpioChips("/nonexistent/gpio");
      expect.unreachable();
    } catch (err) {
      expect(isStationError(err, "GPIO_UNAVAILABLE")).toBe(true);
      expect((err as Error).message).toContain("/nonexistent/gpio");
    }
  });

  it("lists what it found when no chip is recognisable", () => {
    const chips = listGpioChips(
      fakeSysfs([
        { name: "gpiochip0", label: "a", base: 0, ngpio: 8 },
        { name: "gpiochip8", label: "b", base: 8, ngpio: 8 },
      ]),
    );
    try {
      chooseHeaderChip(chips);
      expect.unreachable();
    } catch (err) {
      expect(isStationError(err, "GPIO_CHIP_NOT_FOUND")).toBe(true);
      expect(isStationError(err) && err.details.hint).toContain('gpiochip8 "b" base 8');
    }
  });

  it("refuses a pin the chip does not have", () => {
    const chip = { name: "gpiochip512", label: "pinctrl-bcm2711", base: 512, ngpio: 28 };
    expect(() => sysfsNumber(chip, 28)).toThrow(/BCM 28/);
  });
});
