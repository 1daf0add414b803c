import { z } from "zod";
import type { SimControl } from "./station.ts";

/** on/off as a person types it, or as JSON says it */
export const onOff = z
  .union([z.boolean(), z.enum(["on", "off", "true", "false"])])
  .transform((v) => v === true || v === "on" || v === "true")
  .describe("on or off");

/** One thing a person (or a fault) can do at a simulated station. */
export interface SimCommand {
  readonly summary: string;
  readonly args: z.ZodType;
  run(args: never): unknown;
}

export function cmd<S extends z.ZodType>(
  summary: string,
  args: S,
  run: (a: z.output<S>) => unknown,
): SimCommand {
  return { summary, args, run: run as (a: never) => unknown };
}

const none = z.object({}).strict();

/**
 * The simulator's controls, with their arguments, independent of the transport: the console's
 * buttons (HTTP) and the control socket (as commands the composition root registers) share them.
 * `tap` only presents the card; whoever asks waits for the station's answer.
 */
export function simCommands(control: SimControl): Record<string, SimCommand> {
  return {
    tap: cmd(
      "present a card at a reader",
      z.object({ uid: z.string().min(1).max(64), reader: z.string().min(1).optional() }).strict(),
      (a) => {
        control.tap(a.uid, a.reader);
        return { presented: true };
      },
    ),
    face: cmd(
      "a person (an enrolled face, a stranger, a photo attack, or an image file) looks at the camera",
      z.object({ who: z.string().min(1).max(512) }).strict(),
      (a) => {
        control.presentFace(a.who);
        return { presented: true };
      },
    ),
    "push-door": cmd("push the door leaf (it opens only if the lock is released)", none, () => ({
      opened: control.pushDoor(),
    })),
    "hold-door": cmd("hold the door open", none, () => ({ held: control.holdDoor() })),
    "release-door": cmd("let go of a held door", none, () => {
      control.releaseDoor();
      return { released: true };
    }),
    "force-door": cmd("force the door open against the lock", none, () => {
      control.forceDoor();
      return { forced: true };
    }),
    "exit-button": cmd("press the exit button inside", none, () => {
      control.pressExitButton();
      return { pressed: true };
    }),
    jam: cmd(
      "jam the leaf open or the lock where it is (none clears)",
      z.object({ kind: z.enum(["leaf", "lock", "none"]).default("leaf") }).strict(),
      (a) => {
        control.jamDoor(a.kind);
        return { jam: a.kind };
      },
    ),
    contact: cmd(
      "break the door contact: stuck-closed (bridged) or cut (wire cut); ok mends it",
      z.object({ fault: z.enum(["ok", "stuck-closed", "cut"]) }).strict(),
      (a) => {
        control.breakContact(a.fault === "ok" ? "none" : a.fault);
        return { contact: a.fault };
      },
    ),
    "fire-alarm": cmd("the fire panel's alarm input", z.object({ active: onOff }).strict(), (a) => {
      control.setFireAlarm(a.active);
      return { fireAlarm: a.active };
    }),
    tamper: cmd("the enclosure's tamper switch", z.object({ active: onOff }).strict(), (a) => {
      control.setTamper(a.active);
      return { tamper: a.active };
    }),
    "on-battery": cmd("the UPS's on-battery signal", z.object({ active: onOff }).strict(), (a) => {
      control.setOnBattery(a.active);
      return { onBattery: a.active };
    }),
    "time-quality": cmd(
      "how well the clock is synchronised",
      z.object({ quality: z.enum(["synced", "rtc", "unknown"]) }).strict(),
      (a) => {
        control.setTimeQuality(a.quality);
        return { timeQuality: a.quality };
      },
    ),
    "set-time": cmd(
      "step the wall clock",
      // Any string: the clock's own check gives the range a technician can use (2000 to 2099).
      z.object({ time: z.string().min(1).max(64) }).strict(),
      (a) => {
        const t = Date.parse(a.time);
        control.setWallTime(t);
        return { wallTime: new Date(t).toISOString() };
      },
    ),
    state: cmd("what the simulated hardware is doing", none, () => control.snapshot()),
  };
}
