import { z } from "zod";

export const credentialHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("keyed hash (HMAC-SHA256) of the card identifier; never the identifier itself");

export const AccessReasonSchema = z
  .enum(["granted", "unknown"])
  .describe("why the decision came out as it did; machine-readable");

/** Access decisions. */
export const accessEvents = {
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
} as const;
