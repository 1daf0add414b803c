import { z } from "zod";
import { credentialHash } from "./access-events.ts";

const outlet = z.string().describe("outlet id from the station file");
const source = z
  .enum(["session", "command", "schedule", "tap"])
  .describe("who asked for power (tap: a card at the outlet's own reader)");
export const FaultReasonSchema = z
  .enum(["over-current", "over-power", "over-temperature", "meter-lost"])
  .describe("why an outlet was cut and quarantined");
export const EndReasonSchema = z.enum([
  "charge-complete",
  "max-time",
  "stopped",
  "station-safety",
  "schedule",
  "over-current",
  "over-power",
  "over-temperature",
  "meter-lost",
]);

/** Charging outlets and the Modbus buses under them. */
export const powerEvents = {
  "outlet.session-started": z.object({
    outlet,
    credential: credentialHash,
    personId: z.string().optional(),
    source,
  }),
  "outlet.session-ended": z.object({
    outlet,
    credential: credentialHash,
    personId: z.string().optional(),
    reason: EndReasonSchema,
    energyWh: z.number().min(0).describe("energy of this session, from the outlet's meter"),
    durationS: z.number().min(0),
  }),
  "outlet.refused": z.object({
    outlet,
    reason: z.enum([
      "quarantined",
      "station-safety",
      "outside-schedule",
      "busy",
      "not-charging",
      "fair-use-concurrent",
      "fair-use-energy",
      "no-occupant",
      "meter-lost",
    ]),
    source,
  }),
  "outlet.quarantined": z.object({ outlet, reason: FaultReasonSchema, detail: z.string() }),
  "outlet.cleared": z.object({ outlet, by: z.string().describe("who cleared the quarantine") }),
  "modbus.device-offline": z.object({
    bus: z.string(),
    unit: z.number().int(),
    detail: z.string().optional(),
  }),
  "modbus.device-online": z.object({ bus: z.string(), unit: z.number().int() }),
  "modbus.link-down": z.object({ bus: z.string(), detail: z.string().optional() }),
  "modbus.link-up": z.object({ bus: z.string() }),
} as const;

export const OutletStateSchema = z.object({
  kind: z.enum(["phone", "ebike"]),
  state: z.enum(["idle", "charging", "quarantined"]),
  relay: z.boolean().describe("the relay is on (power at the outlet)"),
  meterOnline: z.boolean(),
  powerW: z.number().min(0),
  currentA: z.number().min(0),
  energyWh: z.number().min(0).describe("the meter's lifetime counter"),
  session: z
    .object({ personId: z.string().optional(), since: z.string(), energyWh: z.number().min(0), source })
    .optional(),
  quarantine: z.object({ reason: FaultReasonSchema, detail: z.string(), since: z.string() }).optional(),
  stationCut: z.boolean().describe("held off by the station's safety coordinator"),
  outsideSchedule: z.boolean().describe("outside outlets.schedule: starts are refused"),
});

export const ModbusStateSchema = z.record(
  z.string(),
  z.object({
    linkUp: z.boolean(),
    lastCycleMs: z.number().min(0).optional(),
    linkErrors: z.number().int().min(0),
    devices: z.record(
      z.string(),
      z.object({
        online: z.boolean(),
        requests: z.number().int().min(0),
        timeouts: z.number().int().min(0),
        crcErrors: z.number().int().min(0),
        exceptions: z.number().int().min(0),
      }),
    ),
  }),
);
