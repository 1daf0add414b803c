import { z } from "zod";

/** Who may enter and by which rules: `access` in the station file. */
export const accessSchema = z
  .object({
    allowList: z
      .array(
        z
          .object({
            personId: z.string().min(1).max(64),
            credential: z
              .string()
              .regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits")
              .describe("keyed hash of the card (waystation credentials hash <uid>), never the UID"),
          })
          .strict(),
      )
      .default([])
      .describe("credentials allowed in; identifiers are keyed hashes, never card numbers"),
  })
  .strict()
  .default({ allowList: [] });
