import { z } from "zod";

const cause = z
  .enum(["cabinet-thermal", "cabinet-smoke", "smoke", "smoke-detector-offline"])
  .describe(
    "smoke-detector-offline: the I/O board's smoke detector unseen, with safety.smokeDetector.offline: alarm",
  );

/** The station's safety coordinator: the highest-priority events there are. */
export const safetyEvents = {
  "safety.alarm": z.object({
    priority: z.literal("critical").describe("the highest priority: outlets and cabinet cut, door released"),
    cause,
    causes: z.array(cause).describe("every cause active now"),
    detail: z.string().optional(),
  }),
  "safety.signal-cleared": z.object({ cause, causes: z.array(cause) }),
  "safety.reset": z.object({ by: z.string() }),
  "safety.reset-refused": z.object({ causes: z.array(cause) }),
  "safety.watch-lost": z.object({
    priority: z.literal("high"),
    detail: z.string().optional().describe("why the smoke detector cannot be read"),
  }),
  "safety.watch-restored": z.object({}),
} as const;

export const SafetyStateSchema = z.object({
  active: z.array(cause),
  latched: z.boolean().describe("power stays cut until a technician's reset"),
  watchLost: z
    .boolean()
    .describe("the smoke detector cannot be read (its I/O board offline): power held off until it can"),
  smokeDetector: z
    .object({ online: z.boolean(), detail: z.string().optional() })
    .optional()
    .describe("a detector on the I/O board: whether the board reports it now (before the grace applies)"),
});
