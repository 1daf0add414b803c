import { z } from "zod";
import { OccupancyTelemetrySchema } from "./occupancy-events.ts";

export const JournalHealthSchema = z
  .enum(["ok", "warning", "unwritable", "starting"])
  .describe("ok; warning: retention budget past its warning ratio; unwritable: disk full or read-only");

/** The journal as `state` and `telemetry` report it. */
export const JournalStatusSchema = z.object({
  health: JournalHealthSchema,
  backlog: z.number().int().min(0).describe("events not yet acknowledged by the broker"),
  bytes: z.number().int().min(0).describe("bytes of their payloads"),
  usedRatio: z.number().min(0).describe("fullness of the retention budget (events or bytes, the larger)"),
  dropped: z.number().int().min(0).describe("events ever dropped undelivered (retention or memory)"),
  lastSeq: z.number().int().min(0).describe("seq of the newest event"),
  durableSeq: z.number().int().min(0).describe("seq up to which events are committed to disk"),
  error: z.string().optional().describe("what is wrong when health is unwritable"),
});
export type JournalStatus = z.output<typeof JournalStatusSchema>;

export const LinkStatusSchema = z.object({
  connected: z.boolean(),
  broker: z.string().describe("URL of the broker in use (or last tried); never carries credentials"),
  protocolVersion: z.union([z.literal(4), z.literal(5)]),
  reconnects: z.number().int().min(0).describe("successful connections since boot, minus one"),
  inFlight: z.number().int().min(0).describe("events published and not yet acknowledged"),
  published: z.number().int().min(0).describe("events acknowledged by the broker since boot"),
  droppedOversize: z
    .number()
    .int()
    .min(0)
    .describe("packets from the broker over mqtt.maxIncomingPacketBytes, skipped unread since boot"),
});
export type LinkStatus = z.output<typeof LinkStatusSchema>;

/**
 * `telemetry` (QoS 0, not retained): a heartbeat every `mqtt.telemetry.heartbeatS`, and a report
 * by exception as soon as something worth knowing changes (journal health, dropped events, a
 * big change of backlog).
 */
export const TelemetrySchema = z.object({
  stationId: z.string(),
  bootId: z.string(),
  ts: z.string().describe("ISO 8601 time of the sample"),
  reason: z.enum(["heartbeat", "change"]),
  changed: z.array(z.string()).describe("what triggered a change report; empty for a heartbeat"),
  uptimeS: z.number().min(0),
  journal: JournalStatusSchema,
  link: LinkStatusSchema,
  process: z.object({
    rssMb: z.number().min(0),
    heapUsedMb: z.number().min(0),
  }),
  outlets: z
    .record(
      z.string(),
      z.object({
        state: z.enum(["idle", "charging", "quarantined"]),
        powerW: z.number().min(0),
        energyWh: z.number().min(0).describe("the meter's lifetime counter"),
        sessionWh: z.number().min(0).optional().describe("energy of the session under way"),
      }),
    )
    .optional()
    .describe("per-outlet power and energy; an outlet changing state is reported at once"),
  occupancy: OccupancyTelemetrySchema.optional().describe(
    "who is inside and each sensor's health (with occupancy); a change of the figure, the welfare alert or a sensor's health is reported at once",
  ),
  credentialList: z
    .object({
      listVersion: z.number().int().min(0),
      listHash: z.string(),
      keyFingerprint: z
        .string()
        .nullable()
        .optional()
        .describe("the credential key the list is hashed under"),
    })
    .optional()
    .describe("the active central credential list, so the centre sees drift (with remote management)"),
});
export type Telemetry = z.output<typeof TelemetrySchema>;
