import type { StationConfig } from "../config/schema.ts";
import type { Hardware } from "../device/hardware.ts";
import type { Entrance } from "./entrance.ts";
import type { EventBus } from "./events/event-bus.ts";
import type { DoctorCheck } from "./subsystem.ts";

/**
 * The entrance's doctor checks, run inside the running station: its hardware's own probes (GPIO
 * sysfs and the chip base on a real board) and each configured reader as its driver sees it.
 */
export function entranceDoctorChecks(
  entrance: Entrance,
  hardware: Hardware,
  config: StationConfig,
  bus: EventBus,
): DoctorCheck[] {
  // The last reason a reader gave for being offline, to show beside the check.
  const why = new Map<string, string>();
  bus.subscribe((e) => {
    if (e.type === "reader.offline") why.set(e.readerId, e.detail ?? "offline");
    if (e.type === "reader.online") why.delete(e.readerId);
  });
  return [
    ...(hardware.probes ?? []).map((p) => ({ id: `entrance.${p.id}`, title: p.title, run: () => p.run() })),
    ...config.hardware.readers.map(
      (r): DoctorCheck => ({
        id: `entrance.reader.${r.id}`,
        title: `reader ${r.id} (${r.kind}) present`,
        causes: [
          {
            cause: "a PC/SC reader is not seen by pcscd (unplugged, or another reader name)",
            hint: "is pcscd running (systemctl status pcscd) and the reader plugged in? pcsc_scan lists what pcscd sees; check hardware.readers[].readerName",
          },
          {
            cause: "a Wiegand or serial reader sends nothing",
            hint: "check the reader's cable and its wiring in hardware.readers",
          },
        ],
        run: async () => {
          const state = entrance.access.readerStates()[r.id];
          if (state?.status === "online")
            return { ok: true, detail: `online${state.lockedOut ? ", locked out" : ""}` };
          return {
            ok: false,
            detail: why.get(r.id) ?? "offline",
            hint:
              r.kind === "pcsc"
                ? "is pcscd running (systemctl status pcscd) and the reader plugged in? pcsc_scan lists what pcscd sees; check hardware.readers[].readerName"
                : "check the reader's cable and its wiring in hardware.readers",
          };
        },
      }),
    ),
  ];
}
