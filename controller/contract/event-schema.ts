import { z } from "zod";
import { EventEnvelopeSchema, EventPayloadSchemas, type EventType } from "./events.ts";

/** The zod schema of one event type as published: the envelope plus its payload. */
export function eventMessageSchema<T extends EventType>(type: T) {
  const payload = EventPayloadSchemas[type] as z.ZodObject;
  return EventEnvelopeSchema.extend({ type: z.literal(type) })
    .extend(payload.shape)
    .describe(payload.description ?? type);
}

export const EVENT_TYPES = Object.keys(EventPayloadSchemas) as EventType[];

/**
 * Any message on `events`, as a consumer validates it. Built from the same map the station emits
 * from, so the consumer, the docs and the code cannot disagree.
 */
export const StationEventSchema = z.discriminatedUnion(
  "type",
  EVENT_TYPES.map((t) => eventMessageSchema(t)) as unknown as [
    ReturnType<typeof eventMessageSchema>,
    ...ReturnType<typeof eventMessageSchema>[],
  ],
);
