import { z } from "zod";

const change = z.object({ path: z.string(), from: z.unknown(), to: z.unknown() });

/** Desired configuration from the centre: every change and every refusal is audited. */
export const configEvents = {
  "config.changed": z
    .object({
      version: z.number().int(),
      principal: z.string(),
      changes: z.array(change).describe("leaf by leaf; values under secret-looking paths are [redacted]"),
      restart: z.boolean().describe("true: takes effect at the planned restart that follows"),
    })
    .describe("a desired configuration was accepted and persisted"),
  "config.rejected": z
    .object({
      version: z.number().int().optional(),
      code: z.string(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    })
    .describe("a desired configuration was refused; the running configuration did not change"),
} as const;
