import { z } from "zod";
import { type CommandSpec, defineCommand } from "../subsystem.ts";
import type { DoorController } from "./door-controller.ts";

const noArgs = z.object({}).strict();

/**
 * What the central server and the technician may ask of the door. Every command stays inside
 * the door's own limits: an unlock is the same timed, watched unlock a card grant gets, a lock
 * never holds against a fire release, and passage mode gives way to the fire input as always.
 */
export function doorCommands(door: DoorController): CommandSpec[] {
  return [
    defineCommand({
      name: "unlock",
      summary: "a timed unlock, as a card grant gets (door.unlockMs; relocks on close)",
      args: noArgs,
      run: async () => {
        door.grant();
        return { status: "ok", data: { door: door.snapshot(), unlockMs: door.unlockMs } };
      },
    }),
    defineCommand({
      name: "lock",
      summary: "lock now: ends a timed unlock and passage mode; never against a fire release",
      args: noArgs,
      run: async () => {
        door.lock();
        const snap = door.snapshot();
        if (snap.mode === "fire") return { status: "error", code: "FIRE_RELEASE", data: { door: snap } };
        return { status: "ok", data: { door: snap } };
      },
    }),
    defineCommand({
      name: "passage-mode",
      summary: "hold the door unlocked (active: true) or end it; the schedule's next change takes over",
      args: z.object({ active: z.boolean() }).strict(),
      run: async (args) => {
        door.setPassage(args.active);
        return { status: "ok", data: { door: door.snapshot() } };
      },
    }),
    defineCommand({
      name: "fire-reset",
      summary: "a technician's reset after a fire alarm (rule: manual-reset)",
      args: noArgs,
      run: async () => {
        const r = door.resetFire();
        return r.ok
          ? { status: "ok", data: { detail: r.detail } }
          : { status: "error", code: "FIRE_STILL_ACTIVE", data: { detail: r.detail } };
      },
    }),
  ];
}
