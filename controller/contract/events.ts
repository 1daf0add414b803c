import { z } from "zod";

/**
 * The payloads of `waystation/v1/<stationId>/events`, one zod schema per event type. The code
 * that emits events and the published contract both come from this map.
 */
const credentialHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("keyed hash (HMAC-SHA256) of the card identifier; never the identifier itself");

export const AccessReasonSchema = z
  .enum(["granted", "unknown"])
  .describe("why the decision came out as it did; machine-readable");

export const EventPayloadSchemas = {
  "access.granted": z.object({
    readerId: z.string(),
    credential: credentialHash,
    format: z.string(),
    personId: z.string(),
    reason: z.literal("granted"),
  }),
  "access.denied": z.object({
    readerId: z.string(),
    credential: credentialHash,
    format: z.string(),
    reason: AccessReasonSchema.exclude(["granted"]),
  }),
  "door.unlocked": z.object({ reason: z.enum(["grant", "exit"]) }),
  "door.locked": z.object({ reason: z.enum(["closed", "timeout", "max-open"]) }),
  "door.opened": z.object({ unlocked: z.boolean() }),
  "door.closed": z.object({}),
  "exit.requested": z.object({}),
  "reader.online": z.object({ readerId: z.string(), detail: z.string().optional() }),
  "reader.offline": z.object({ readerId: z.string(), detail: z.string().optional() }),
  "reader.unsupported-card": z.object({ readerId: z.string(), detail: z.string() }),
} as const;

export type EventType = keyof typeof EventPayloadSchemas;
export type EventPayload<T extends EventType> = z.output<(typeof EventPayloadSchemas)[T]>;

export const TimeQualitySchema = z
  .enum(["synced", "rtc", "unknown"])
  .describe("how far the station trusts its wall clock");

export const EventEnvelopeSchema = z.object({
  id: z.uuid().describe("unique for ever (UUIDv7); duplicates carry the same id"),
  seq: z.number().int().min(1).describe("per station, increasing by one per event"),
  bootId: z.string().describe("changes at every controller start"),
  ts: z.string().describe("ISO 8601 wall-clock time of the event"),
  type: z.string(),
  stationId: z.string(),
});

/** One event as published: the envelope plus its type's payload (a union over all types). */
export type StationEvent<T extends EventType = EventType> = T extends EventType
  ? Omit<z.output<typeof EventEnvelopeSchema>, "type"> & { type: T } & EventPayload<T>
  : never;
