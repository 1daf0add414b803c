import type { SlotView } from "../../device/cabinet/cabinet-map.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { until } from "../../device/ports/wait-for.ts";
import type { CheckResult, SelftestStep } from "../subsystem.ts";

/** How long a technician has to open a released slot's door, and to shut it again. */
export const SLOT_OPEN_MS = 30_000;
export const SLOT_CLOSE_MS = 30_000;

/** What the slot steps may do with the cabinet: read its slots, release one lock. */
export interface CabinetTestPort {
  readonly slotCount: number;
  /** the slots as last read, and whether the cabinet answers */
  slots(): readonly SlotView[];
  online(): boolean;
  quarantined(slot: number): boolean;
  /** why no slot may be opened now (a swap running, power held off), or undefined */
  busy(): string | undefined;
  unlock(slot: number): void;
  /** called after every complete read of the slots; returns its unsubscribe */
  onRead(listener: () => void): () => void;
}

const fail = (detail: string, hint: string): CheckResult => ({ ok: false, detail, hint });
const skip = (detail: string): CheckResult => ({ ok: true, skipped: true, detail });

/**
 * One step per slot. Every run reads the slot (door shut and locked, the battery's readings, no
 * fault bit). Opening it is attended only: the cabinet has no command that locks a slot again —
 * its lock latches when the door shuts — so a slot released with nobody there would stand
 * unlocked, a battery in it, until someone came. With a technician at the cabinet each slot is
 * released, its door must be seen open, then shut and latched again.
 */
export function cabinetSelftestSteps(port: CabinetTestPort, clock: Clock, readMs: number): SelftestStep[] {
  const waitFor = (ms: number, want: () => boolean) => until(port.onRead, clock, ms, want);
  const view = (slot: number) => port.slots().find((v) => v.slot === slot);

  return Array.from({ length: port.slotCount }, (_, i) => i + 1).map((slot) => ({
    id: `cabinet.slot.${slot}`,
    title: `cabinet slot ${slot}: reads, opens and latches`,
    run: async (ctx) => {
      if (!port.online() || !view(slot))
        return fail(
          `the cabinet does not answer: slot ${slot} not read`,
          "check the cabinet's RS-485 wiring, its address and its supply (waystation doctor)",
        );
      const v = view(slot) as SlotView;
      const reads = `${v.present ? `battery ${v.batteryId} ${v.socPct} % ${v.tempC} °C` : "empty"}`;
      if (v.faults.length > 0)
        return fail(
          `slot ${slot} (${reads}) reports ${v.faults.join(", ")}`,
          "see docs/charging-and-swap.md for each fault bit; a quarantined battery is released with release-battery",
        );
      if (!v.doorClosed || !v.doorLocked)
        return fail(
          `slot ${slot}'s door reads ${v.doorClosed ? "shut but unlocked" : "open"}`,
          "shut the slot's door; if it is shut, its door switch or latch is faulty",
        );
      if (!ctx.attended)
        return {
          ok: true,
          detail: `shut and locked, ${reads}; not opened: a released slot stays unlocked until its door is opened and shut, so slots open only with a technician there (selftest --attended)`,
        };
      if (port.quarantined(slot)) return skip(`not opened: slot ${slot} holds a quarantined battery`);
      const busy = port.busy();
      if (busy) return skip(`not opened: ${busy}`);
      port.unlock(slot);
      if (!(await waitFor(readMs, () => view(slot)?.doorLocked === false)))
        return fail(
          `slot ${slot} was told to unlock but still reads locked`,
          "check the slot's lock and the cabinet's map (cabinet.map.commands) against the vendor's sheet",
        );
      ctx.progress(`slot ${slot} is released: open its door, then shut it`);
      if (!(await waitFor(SLOT_OPEN_MS, () => view(slot)?.doorClosed === false)))
        return fail(
          `slot ${slot} unlocked, but its door did not read open within ${SLOT_OPEN_MS / 1000} s (it stays unlocked until opened and shut)`,
          "if the door was opened, its door switch is stuck; if it would not open, the door is jammed; open and shut it now so the slot latches",
        );
      if (
        !(await waitFor(
          SLOT_CLOSE_MS,
          () => view(slot)?.doorClosed === true && view(slot)?.doorLocked === true,
        ))
      )
        return fail(
          `slot ${slot}'s door read open but not shut and latched within ${SLOT_CLOSE_MS / 1000} s`,
          "shut the door firmly; if it is shut, the latch or the door switch is faulty",
        );
      return { ok: true, detail: `${reads}; released, opened, shut and latched again` };
    },
  }));
}
