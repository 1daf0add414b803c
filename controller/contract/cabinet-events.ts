import { z } from "zod";
import { credentialHash } from "./access-events.ts";

const battery = z.object({ slot: z.number().int().min(1), batteryId: z.string(), socPct: z.number() });

/** The battery-swap cabinet. */
export const cabinetEvents = {
  "swap.started": z.object({
    swapId: z.string(),
    credential: credentialHash,
    personId: z.string().optional(),
    depositSlot: z.number().int(),
  }),
  "swap.refused": z.object({
    credential: credentialHash,
    reason: z.enum(["busy", "no-empty-slot", "no-charged-battery", "cabinet-offline", "station-safety"]),
  }),
  "swap.deposited": z.object({ swapId: z.string(), battery }),
  "swap.completed": z.object({
    swapId: z.string(),
    personId: z.string().optional(),
    deposited: battery.describe("the battery the worker brought"),
    issued: battery.describe("the battery the worker took"),
    doorLeftOpen: z.boolean(),
  }),
  "swap.failed": z.object({
    swapId: z.string(),
    reason: z.enum(["nothing-deposited", "door-left-open", "no-charged-battery", "not-taken", "cancelled"]),
    step: z.enum(["idle", "awaiting-deposit", "awaiting-take"]),
  }),
  "swap.warning": z.object({
    swapId: z.string(),
    warning: z.enum(["door-left-open", "wrong-slot"]),
    slot: z.number().int(),
  }),
  "swap.resumed": z.object({
    swapId: z.string(),
    step: z.enum(["idle", "awaiting-deposit", "awaiting-take"]),
  }),
  "cabinet.battery-quarantined": z.object({
    slot: z.number().int(),
    batteryId: z.string(),
    reason: z.string(),
    detail: z.string(),
  }),
  "cabinet.battery-released": z.object({ slot: z.number().int(), batteryId: z.string(), by: z.string() }),
  "cabinet.offline": z.object({ detail: z.string().optional() }),
  "cabinet.online": z.object({}),
} as const;

export const CabinetStateSchema = z.object({
  online: z.boolean(),
  powered: z.boolean().describe("the chargers' mains are on"),
  thermal: z.boolean(),
  smoke: z.boolean(),
  slots: z.array(
    z.object({
      slot: z.number().int(),
      present: z.boolean(),
      doorClosed: z.boolean(),
      batteryId: z.string(),
      socPct: z.number(),
      tempC: z.number(),
      faults: z.array(z.string()),
      quarantined: z.boolean(),
    }),
  ),
  swap: z.object({
    step: z.enum(["idle", "awaiting-deposit", "awaiting-take"]),
    swapId: z.string().optional(),
    depositSlot: z.number().int().optional(),
    issueSlot: z.number().int().optional(),
  }),
});
