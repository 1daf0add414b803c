import { z } from "zod";

const cause = z.enum(["cabinet-thermal", "cabinet-smoke", "smoke"]);

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
} as const;

export const SafetyStateSchema = z.object({
  active: z.array(cause),
  latched: z.boolean().describe("power stays cut until a technician's reset"),
});
