import { z } from "zod";

export const SensorNameSchema = z.enum(["radar", "pir", "beam", "board"]);
export const SensorHealthSchema = z
  .enum(["good", "stale", "suspect", "offline"])
  .describe(
    "good: trusted; stale: connected but silent; suspect: reporting what cannot be true (latched, ghost, blocked beam); offline: not reachable",
  );
export const ConfidenceSchema = z
  .enum(["high", "medium", "low"])
  .describe(
    "high: counted by the beam pair; medium: from grants or corrected by radar/PIR; low: a crossing was not understood",
  );

const figure = {
  count: z.number().int().min(0).describe("people inside, best estimate"),
  present: z.boolean().describe("anyone inside, by the count or by a trusted sensor"),
  confidence: ConfidenceSchema,
  sources: z.array(z.string()).describe("what the figure rests on now: door, beam, radar, pir"),
};

/** Who is inside, and what the station did about it. */
export const occupancyEvents = {
  "door.tailgate": z
    .object({
      grants: z.number().int().min(0).describe("grants within the grant window"),
      entered: z.number().int().min(1).describe("people the beam counted in within the same window"),
    })
    .describe("more people came in than were granted"),
  "occupancy.changed": z.object(figure).describe("the count or presence changed"),
  "occupancy.welfare-alert": z
    .object({
      priority: z.literal("critical").describe("the highest priority: someone inside may need help"),
      noMovementMin: z.number().min(0),
      count: z.number().int().min(0),
    })
    .describe("someone is present and has not moved for the configured time in the welfare window"),
  "occupancy.welfare-cleared": z.object({ by: z.enum(["movement", "technician", "left"]) }),
  "occupancy.sensor-health": z.object({
    sensor: SensorNameSchema,
    health: SensorHealthSchema,
    detail: z.string().optional(),
  }),
} as const;

const sensorState = z.object({ health: SensorHealthSchema, detail: z.string().optional() });

/** The occupancy part of `state` (present when the station file has an `occupancy` section). */
export const OccupancyStateSchema = z.object({
  ...figure,
  lastChange: z.string().describe("ISO 8601 time the count or presence last changed"),
  sensors: z.partialRecord(SensorNameSchema, sensorState),
  welfare: z.object({ active: z.boolean(), since: z.string().optional() }),
  outputs: z.record(z.string(), z.boolean()).describe("lights, ventilation, call light, buzzer: on or off"),
  analog: z.record(z.string(), z.number()).describe("the I/O board's named analog inputs (raw 0-1023)"),
});
export type OccupancyState = z.output<typeof OccupancyStateSchema>;

/** Occupancy in `telemetry`: the figure, the welfare alert and each sensor's health. */
export const OccupancyTelemetrySchema = z.object({
  count: figure.count,
  present: figure.present,
  confidence: ConfidenceSchema,
  welfare: z.boolean().describe("a welfare alert is active: someone inside may need help"),
  sensors: z.partialRecord(SensorNameSchema, SensorHealthSchema),
});
export type OccupancyTelemetry = z.output<typeof OccupancyTelemetrySchema>;

export function occupancyTelemetry(s: OccupancyState): OccupancyTelemetry {
  const sensors: OccupancyTelemetry["sensors"] = {};
  for (const [name, v] of Object.entries(s.sensors)) if (v) sensors[name as keyof typeof sensors] = v.health;
  return { count: s.count, present: s.present, confidence: s.confidence, welfare: s.welfare.active, sensors };
}
