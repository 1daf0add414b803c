import { z } from "zod";
import { TimeQualitySchema } from "./time-quality.ts";

/** The controller's own condition: time quality, power. */
export const systemEvents = {
  "time.quality-changed": z.object({ from: TimeQualitySchema, to: TimeQualitySchema }),
  "power.changed": z.object({ onBattery: z.boolean() }),
} as const;
