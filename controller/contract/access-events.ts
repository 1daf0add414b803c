import { z } from "zod";
import { FaceScoresSchema } from "./face-events.ts";

export const credentialHash = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe("keyed hash (HMAC-SHA256) of the card identifier; never the identifier itself");

export const AccessReasonSchema = z
  .enum([
    "granted",
    "unknown",
    "blocked",
    "lost",
    "expired",
    "not-yet-valid",
    "outside-schedule",
    "lockout",
    "capacity",
    "time-unknown",
    "needs-second-factor",
    "passback",
    "pin-too-short",
    "pin-only-refused",
  ])
  .describe("why the decision came out as it did; machine-readable");
export type AccessReason = z.output<typeof AccessReasonSchema>;

export const RoleSchema = z.enum(["worker", "technician", "admin"]);

const read = {
  readerId: z.string(),
  outlet: z
    .string()
    .optional()
    .describe("the charging outlet whose reader this is: the door was not opened (absent: the door)"),
  credential: credentialHash,
  format: z.string().describe("shape of the identifier (uid-4, serial-8, wiegand-26...), never its value"),
};

/** Access decisions: every read that is not a suppressed re-read gives exactly one. */
export const accessEvents = {
  "access.granted": z.object({
    ...read,
    personId: z.string(),
    role: RoleSchema,
    reason: z.literal("granted"),
    secondFactor: z
      .enum(["none", "face", "pin", "waived-face-down"])
      .describe("how the second factor was satisfied; waived only by the written degraded-mode policy"),
    method: z
      .enum(["card", "face"])
      .optional()
      .describe("what was presented: a card (or keypad code) or a face"),
    face: FaceScoresSchema.optional().describe("present when method is face"),
  }),
  "access.denied": z.object({
    ...read,
    reason: AccessReasonSchema.exclude(["granted"]),
    personId: z.string().optional().describe("present when the credential is known"),
    method: z.enum(["card", "face"]).optional(),
    face: FaceScoresSchema.optional(),
  }),
} as const;
