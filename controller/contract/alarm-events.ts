import { z } from "zod";

export const AlarmSchema = z
  .enum([
    "forced-open",
    "held-open",
    "fire",
    "tamper",
    "lockout",
    "reader-offline",
    "on-battery",
    "time-unknown",
    "relay-wear",
    "credential-store",
    "welfare",
    "sensor-fault",
    "safety",
  ])
  .describe("which alarm; `source` names the reader or input when there are several");
export type Alarm = z.output<typeof AlarmSchema>;

/** Alarms are raised and cleared in pairs; `state.alarms` lists the ones active now. */
export const alarmEvents = {
  "alarm.raised": z.object({
    alarm: AlarmSchema,
    source: z.string().optional(),
    detail: z.string().optional(),
  }),
  "alarm.cleared": z.object({ alarm: AlarmSchema, source: z.string().optional() }),
} as const;
