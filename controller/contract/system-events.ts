import { z } from "zod";
import { TimeQualitySchema } from "./time-quality.ts";

/** The controller's own condition: time quality, power. */
export const systemEvents = {
  "time.quality-changed": z.object({ from: TimeQualitySchema, to: TimeQualitySchema }),
  "power.changed": z.object({ onBattery: z.boolean() }),
  "controller.fault": z
    .object({
      origin: z
        .enum(["uncaughtException", "unhandledRejection"])
        .describe("what killed the controller: a thrown error nobody caught, or a rejected promise"),
      error: z.string().describe("the error's name and message (no stack; the service log has it)"),
      code: z.string().optional().describe("the StationError code, when it was one"),
    })
    .describe(
      "the controller is dying of its own fault: the lock was driven to its safe level first; the service restarts it",
    ),
} as const;
