import type { StationConfig } from "../../config/schema.ts";
import type { CheckCause, DoctorCheck } from "../../controller/subsystem.ts";
import { configuredPins, probeGpio } from "../../device/gpio/gpio-probe.ts";
import { DEFAULT_PCSCD_SOCKET } from "../../device/pcsc/nfc-pcsc-transport.ts";
import { reachable } from "../pcscd.ts";
import { readerCheck } from "./reader-check.ts";

export const GPIO_CAUSES: readonly CheckCause[] = [
  {
    cause:
      "there is no GPIO sysfs, or the header's chip is not found (not a Raspberry Pi, or a kernel without sysfs GPIO)",
    hint: "check hardware.gpio.sysfsRoot and the board; ls /sys/class/gpio shows the chips",
  },
  {
    cause: "the service user may not export or drive the lines",
    hint: "run as the service user (in group gpio): sudo usermod -aG gpio waystation, or sudo waystation doctor",
  },
  {
    cause: "a configured pin is not on the header chip",
    hint: "the pins are BCM numbers 0-27 on a Raspberry Pi: fix hardware.gpio",
  },
];

export const PCSCD_CAUSES: readonly CheckCause[] = [
  {
    cause: "pcscd does not answer on its socket",
    hint: "sudo apt-get install -y pcscd && sudo systemctl enable --now pcscd.socket",
  },
];

/**
 * What doctor can probe of the station's own hardware while no station runs (a running one owns
 * the lines and answers for them itself). Only on real hardware.
 */
export function offlineChecks(config: StationConfig): DoctorCheck[] {
  if (config.hardware.mode !== "real") return [];
  const gpio = config.hardware.gpio;
  const out: DoctorCheck[] = [
    {
      id: "entrance.gpio",
      title: "GPIO sysfs and the header chip",
      causes: GPIO_CAUSES,
      run: async () => probeGpio(gpio.sysfsRoot, configuredPins(gpio)),
    },
  ];
  if (config.hardware.readers.some((r) => r.kind === "pcsc")) {
    out.push({
      id: "entrance.pcscd",
      title: "pcscd reachable",
      causes: PCSCD_CAUSES,
      run: async () => {
        const up = await reachable(DEFAULT_PCSCD_SOCKET);
        return {
          ok: up,
          detail: up
            ? `pcscd answers on ${DEFAULT_PCSCD_SOCKET}`
            : `nothing answers on ${DEFAULT_PCSCD_SOCKET}`,
          ...(up ? {} : { hint: PCSCD_CAUSES[0]?.hint ?? "" }),
        };
      },
    });
  }
  out.push(readerCheck(config));
  return out;
}
