import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StationConfig } from "../../config/schema.ts";
import type { CheckCause, CheckResult, DoctorCheck } from "../../controller/subsystem.ts";

export const USB_DEVICES = "/sys/bus/usb/devices";

/** The USB smart-card class (CCID): every contactless PC/SC reader a station uses has it. */
const SMART_CARD_CLASS = "0b";

export const READER_CAUSES = {
  none: {
    cause: "no USB smart-card (CCID) reader is plugged in",
    hint: "plug the reader in (lsusb lists it; dmesg | tail says if the port gives it power); a reader on a hub without its own supply may not start",
  },
  name: {
    cause: "a reader is plugged in, but none has the name hardware.readers[].readerName asks for",
    hint: "pcscd names a reader by its maker and product (lsusb, or pcsc_scan): put a part of that name in readerName, or leave readerName out to take the first reader",
  },
} as const satisfies Record<string, CheckCause>;

function read(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}

/**
 * The USB devices with a smart-card interface, by the name pcscd gives them (maker and product,
 * as the CCID driver reads them from the device). Interfaces are `1-1.2:1.0`, their device `1-1.2`.
 */
export function smartCardReaders(root = USB_DEVICES): string[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return undefined;
  }
  const devices = new Set<string>();
  for (const e of entries) {
    const [device, iface] = e.split(":");
    if (device && iface && read(join(root, e, "bInterfaceClass")) === SMART_CARD_CLASS) devices.add(device);
  }
  return [...devices].map((d) => {
    const name = [read(join(root, d, "manufacturer")), read(join(root, d, "product"))].filter(Boolean);
    return name.length
      ? name.join(" ")
      : `USB device ${read(join(root, d, "idVendor"))}:${read(join(root, d, "idProduct"))}`;
  });
}

/**
 * With the station stopped: each PC/SC reader the station file names is on the USB bus (no
 * pcscd needed, nothing opened). A Wiegand reader says nothing until a card is read: selftest
 * and the running station's `entrance.reader.ID` checks see those.
 */
export function readerCheck(config: StationConfig, usbRoot = USB_DEVICES): DoctorCheck {
  return {
    id: "entrance.readers",
    title: "readers present",
    causes: Object.values(READER_CAUSES),
    run: async (): Promise<CheckResult> => {
      const pcsc = config.hardware.readers.flatMap((r) => (r.kind === "pcsc" ? [r] : []));
      const others = config.hardware.readers.filter((r) => r.kind === "wiegand").map((r) => r.id);
      const later = others.length
        ? `; ${others.join(", ")} (Wiegand) answer only to a card: waystation selftest with the station running`
        : "";
      if (pcsc.length === 0)
        return { ok: true, skipped: true, detail: `no USB (PC/SC) reader configured${later}` };
      const seen = smartCardReaders(usbRoot);
      if (seen === undefined)
        return { ok: true, skipped: true, detail: `${usbRoot} cannot be read here (no USB bus)${later}` };
      if (seen.length === 0)
        return {
          ok: false,
          detail: `${pcsc.map((r) => r.id).join(", ")}: no smart-card reader on the USB bus`,
          hint: READER_CAUSES.none.hint,
        };
      const unmatched = pcsc.filter(
        (r) => r.readerName && !seen.some((n) => n.toLowerCase().includes(r.readerName?.toLowerCase() ?? "")),
      );
      if (unmatched.length > 0)
        return {
          ok: false,
          detail: `${unmatched.map((r) => `${r.id} wants "${r.readerName}"`).join(", ")}; plugged in: ${seen.join(", ")}`,
          hint: READER_CAUSES.name.hint,
        };
      return { ok: true, detail: `plugged in: ${seen.join(", ")}${later}` };
    },
  };
}
