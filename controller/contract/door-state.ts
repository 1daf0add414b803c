import { z } from "zod";
import { AccessReasonSchema } from "./access-events.ts";
import { AlarmSchema } from "./alarm-events.ts";
import { TimeQualitySchema } from "./time-quality.ts";

/** The door part of `state`. */
export const DoorStateSchema = z.object({
  lock: z.enum(["locked", "unlocked"]),
  leaf: z.enum(["open", "closed"]),
  mode: z
    .enum(["normal", "passage", "fire"])
    .describe("what holds the door: nothing special, a passage window, a fire alarm"),
  fire: z
    .enum(["off", "active", "latched"])
    .describe("latched: the panel cleared, waiting for a technician's reset"),
  lockMode: z.enum(["fail-secure", "fail-safe"]),
  relayEnergised: z.boolean(),
  relayCycles: z
    .number()
    .int()
    .min(0)
    .describe("lock relay operations over the relay's life; relays wear out"),
  passage: z.object({
    windowOpen: z.boolean(),
    active: z.boolean(),
    waitingForFirstCard: z.boolean(),
    suspended: z.enum(["time-unknown", "on-battery"]).optional(),
  }),
});

/** Access, alarms and time: the policy's view in `state`. */
export const AccessStateSchema = z.object({
  readers: z.record(z.string(), z.object({ status: z.enum(["online", "offline"]), lockedOut: z.boolean() })),
  credentials: z.object({ count: z.number().int().min(0) }),
  access: z.object({
    granted: z.number().int().min(0),
    denied: z.partialRecord(AccessReasonSchema, z.number().int().min(0)),
    suppressed: z
      .number()
      .int()
      .min(0)
      .describe("re-reads of the same card ignored within the suppression window"),
  }),
  alarms: z.array(
    z.object({
      alarm: AlarmSchema,
      source: z.string().optional(),
      since: z.string(),
      detail: z.string().optional(),
    }),
  ),
  time: z.object({ quality: TimeQualitySchema, now: z.string() }),
  power: z.object({ onBattery: z.boolean() }),
});
