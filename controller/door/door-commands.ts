import { z } from "zod";
import type { RoutedCommand } from "../remote/command-router.ts";
import type { DoorController } from "./door-controller.ts";

const noArgs = z.object({}).strict();

/**
 * What the central server and the technician may ask of the door. Every command stays inside
 * the door's own limits: an unlock is the same timed, watched unlock a card grant gets, a lock
 * never holds against a fire release, and passage mode gives way to the fire input as always.
 */
export function doorCommands(door: DoorController): RoutedCommand[] {
  return [
    {
      name: "unlock",
      summary: "a timed unlock, as a card grant gets (door.unlockMs; relocks on close)",
      args: noArgs,
      async run() {
        door.grant();
        return { status: "ok", data: { door: door.snapshot(), unlockMs: door.unlockMs } };
      },
    },
    {
      name: "lock",
      summary: "lock now: ends a timed unlock and passage mode; never against a fire release",
      args: noArgs,
      async run() {
        door.lock();
        const snap = door.snapshot();
        if (snap.mode === "fire") return { status: "error", code: "FIRE_RELEASE", data: { door: snap } };
        return { status: "ok", data: { door: snap } };
      },
    },
    {
      name: "passage-mode",
      summary: "hold the door unlocked (active: true) or end it; the schedule's next change takes over",
      args: z.object({ active: z.boolean() }).strict(),
      async run(args: { active: boolean }) {
        door.setPassage(args.active);
        return { status: "ok", data: { door: door.snapshot() } };
      },
    },
    {
      name: "fire-reset",
      summary: "end a latched fire release after the fire panel was reset (rule manual-reset)",
      args: noArgs,
      async run() {
        const r = door.resetFire();
        return r.ok
          ? { status: "ok", data: { detail: r.detail } }
          : { status: "error", code: "FIRE_ACTIVE", data: { detail: r.detail } };
      },
    },
  ];
}
