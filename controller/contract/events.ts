import { z } from "zod";
import { accessEvents } from "./access-events.ts";
import { alarmEvents } from "./alarm-events.ts";
import { cabinetEvents } from "./cabinet-events.ts";
import { commandEvents } from "./command-events.ts";
import { configEvents } from "./config-events.ts";
import { credentialListEvents } from "./credential-list-events.ts";
import { doorEvents } from "./door-events.ts";
import { faceEvents } from "./face-events.ts";
import { journalEvents } from "./journal-events.ts";
import { occupancyEvents } from "./occupancy-events.ts";
import { powerEvents } from "./power-events.ts";
import { readerEvents } from "./reader-events.ts";
import { safetyEvents } from "./safety-events.ts";
import { securityEvents } from "./security-events.ts";
import { selftestEvents } from "./selftest-events.ts";
import { systemEvents } from "./system-events.ts";
import { TimeQualitySchema } from "./time-quality.ts";

export { AccessReasonSchema, credentialHash } from "./access-events.ts";

/**
 * The payloads of `waystation/v1/<stationId>/events`, one zod schema per event type, grouped by
 * subsystem in the files imported above. The code that emits events and the published contract
 * both come from this map.
 */
export const EventPayloadSchemas = {
  ...accessEvents,
  ...doorEvents,
  ...readerEvents,
  ...alarmEvents,
  ...systemEvents,
  ...journalEvents,
  ...commandEvents,
  ...selftestEvents,
  ...powerEvents,
  ...cabinetEvents,
  ...safetyEvents,
  ...occupancyEvents,
  ...faceEvents,
  ...credentialListEvents,
  ...configEvents,
  ...securityEvents,
} as const;

export type EventType = keyof typeof EventPayloadSchemas;
export type EventPayload<T extends EventType> = z.output<(typeof EventPayloadSchemas)[T]>;

export type { TimeQuality } from "./time-quality.ts";
export { TimeQualitySchema };

export const EventEnvelopeSchema = z.object({
  id: z.uuid().describe("unique for ever (UUIDv7); duplicates carry the same id"),
  seq: z
    .number()
    .int()
    .min(1)
    .describe(
      "per station, increasing by one per event, across restarts; a gap is explained by journal.dropped",
    ),
  bootId: z.string().describe("changes at every controller start"),
  ts: z.string().describe("ISO 8601 wall-clock time of the event"),
  timeQuality: TimeQualitySchema.describe("how far `ts` can be trusted when the event happened"),
  type: z.string(),
  stationId: z.string(),
  replayed: z
    .literal(true)
    .optional()
    .describe("present on events sent late from the journal, after a restart or an outage"),
});

/** One event as published: the envelope plus its type's payload (a union over all types). */
export type StationEvent<T extends EventType = EventType> = T extends EventType
  ? Omit<z.output<typeof EventEnvelopeSchema>, "type"> & { type: T } & EventPayload<T>
  : never;
