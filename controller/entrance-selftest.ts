import type { StationConfig } from "../config/schema.ts";
import type { Hardware } from "../device/hardware.ts";
import type { Clock } from "../device/ports/clock.ts";
import { until } from "../device/ports/wait-for.ts";
import type { DoorController, DoorSnapshot } from "./door/door-controller.ts";
import type { Entrance } from "./entrance.ts";
import type { CheckResult, SelftestStep } from "./subsystem.ts";

/** How long a technician has to open the door once it is released, and to let it close. */
export const WALK_OPEN_MS = 15_000;
export const WALK_CLOSE_MS = 30_000;

/** Resolves with true as soon as the door's snapshot satisfies `want`, false after `ms`. */
const waitForDoor = (door: DoorController, clock: Clock, ms: number, want: (s: DoorSnapshot) => boolean) =>
  until(door.onChange.bind(door), clock, ms, () => want(door.snapshot()));

const fail = (detail: string, hint: string): CheckResult => ({ ok: false, detail, hint });

/**
 * The entrance's commissioning steps. What "the door contact answers" means: the controller has
 * no lock-sense input, so reading the relay line back only proves the output was driven; the
 * contact can only answer when the leaf moves, and only a person moves it (the simulated door, like
 * a real one, opens only when pushed). So the lock pulse, when a technician is at the door
 * (attended), waits for the contact to report open and then closed; unattended, it pulses the
 * lock, reads the relay back and says plainly that the contact was not exercised.
 */
export function entranceSelftestSteps(
  entrance: Entrance,
  hardware: Hardware,
  config: StationConfig,
): SelftestStep[] {
  const { door } = entrance;
  const clock = hardware.clock;
  const failSecure = config.door.lockMode === "fail-secure";
  const energisedWhenUnlocked = failSecure;

  const steps: SelftestStep[] = [
    {
      id: "entrance.inputs",
      title: "input levels",
      run: async () => {
        const levels: string[] = [];
        const problems: string[] = [];
        const line = (
          name: string,
          input: { read(): boolean } | undefined,
          on: string,
          off: string,
          bad?: string,
        ) => {
          if (!input) return;
          const active = input.read();
          levels.push(`${name}: ${active ? on : off}`);
          if (active && bad) problems.push(bad);
        };
        line("door contact", hardware.doorContact, "closed", "open");
        line(
          "exit button",
          hardware.exitButton,
          "PRESSED",
          "released",
          "the exit button reads pressed (stuck, or its wire shorted)",
        );
        line(
          "fire alarm",
          hardware.fireAlarm,
          "ALARM",
          "quiet",
          "the fire alarm input is active (panel in alarm, or a cut NC loop)",
        );
        line("tamper", hardware.tamper, "OPEN", "closed", "the enclosure tamper switch reads open");
        line("on battery", hardware.onBattery, "YES", "no", "the UPS says mains is lost");
        const detail = levels.join(" · ");
        return problems.length === 0
          ? { ok: true, detail }
          : fail(
              `${detail} — ${problems.join("; ")}`,
              "fix the input named, then run selftest again (docs/wiring.md)",
            );
      },
    },
    {
      id: "entrance.door-contact",
      title: "door contact reads closed",
      run: async () =>
        hardware.doorContact.read()
          ? { ok: true, detail: "the door contact reads closed" }
          : fail(
              "the door contact reads open",
              "close the door; if it is shut, the contact or its wire is broken (a cut normally-closed loop reads open) or hardware.gpio.doorContact.activeLow is wrong",
            ),
    },
    {
      id: "entrance.lock-pulse",
      title: "lock pulse and door contact answer",
      run: async (ctx) => {
        const before = door.snapshot();
        if (before.mode !== "normal") {
          return { ok: true, skipped: true, detail: `not pulsed: the door is in ${before.mode} mode` };
        }
        if (before.leaf === "open" || before.lock === "unlocked") {
          return fail(
            "not pulsed: the door is open or already released",
            "close the door and let it lock, then run again",
          );
        }
        ctx.progress(
          ctx.attended ? "releasing the lock: open the door now, then let it close" : "releasing the lock",
        );
        door.grant();
        const relayReleased = hardware.lockRelay.read() === energisedWhenUnlocked;
        if (!relayReleased || door.snapshot().lock !== "unlocked") {
          return fail(
            `the lock relay reads ${hardware.lockRelay.read() ? "energised" : "de-energised"} after a release`,
            "the relay line is not driven: check hardware.gpio.lockRelay (pin, activeLow) and the relay board's supply",
          );
        }
        const released = `relay ${energisedWhenUnlocked ? "energised" : "de-energised"} (lock released, ${config.door.lockMode})`;
        let contact = "the door contact was not watched: run selftest --attended and open the door";
        if (ctx.attended) {
          const opened = await waitForDoor(door, clock, WALK_OPEN_MS, (s) => s.leaf === "open");
          if (!opened) {
            await waitForDoor(door, clock, config.door.unlockMs + 2000, (s) => s.lock === "locked");
            return fail(
              `${released}, but the door contact did not change within ${WALK_OPEN_MS / 1000} s`,
              "if the door was opened, the contact is stuck closed (bridged, magnet glued) or on the wrong pin; if nobody opened it, run again and open it when asked; if the door would not open, check the lock's supply",
            );
          }
          ctx.progress("the door contact reads open: now let the door close");
          const closed = await waitForDoor(door, clock, WALK_CLOSE_MS, (s) => s.leaf === "closed");
          if (!closed) {
            return fail(
              `${released}; the contact read open but not closed again within ${WALK_CLOSE_MS / 1000} s`,
              "let the door close (check the closer); if it is shut, the contact's magnet is out of range",
            );
          }
          contact = "the door contact answered: open, then closed";
        }
        const relocked = await waitForDoor(
          door,
          clock,
          config.door.unlockMs + 2000,
          (s) => s.lock === "locked",
        );
        const relayLocked = hardware.lockRelay.read() !== energisedWhenUnlocked;
        if (!relocked || !relayLocked) {
          return fail(
            `${released}; ${contact}; but the door did not lock again`,
            "check the door's state in the console; this is a fault to report",
          );
        }
        return { ok: true, detail: `${released}; ${contact}; locked again` };
      },
    },
  ];

  for (const r of config.hardware.readers) {
    steps.push({
      id: `entrance.reader.${r.id}`,
      title: `reader ${r.id}: blink and beep`,
      run: async (ctx) => {
        const state = entrance.access.readerStates()[r.id];
        if (state?.status !== "online") {
          return fail(
            `reader ${r.id} is offline`,
            "check its cable and, for a PC/SC reader, pcscd (waystation doctor)",
          );
        }
        const reader = hardware.readers.find((x) => x.id === r.id);
        reader?.signal("grant");
        ctx.progress(`reader ${r.id}: green light and one beep now`);
        return {
          ok: true,
          detail: `online; signalled grant (green LED, beep)${ctx.attended ? ": check you saw and heard it" : ""}`,
        };
      },
    });
  }
  return steps;
}
