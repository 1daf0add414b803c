import { z } from "zod";

/** The door and its lock: `door` in the station file. */
export const doorSchema = z
  .object({
    lockMode: z
      .enum(["fail-secure", "fail-safe"])
      .describe(
        "fail-secure: locked without power (electric strike); fail-safe: released without power (maglock)",
      ),
    unlockMs: z
      .number()
      .int()
      .min(1000)
      .max(60_000)
      .default(5000)
      .describe("how long a grant keeps the door unlocked when nobody opens it"),
    maxOpenMs: z
      .number()
      .int()
      .min(5000)
      .max(600_000)
      .default(30_000)
      .describe("bound on an unlock while the door stands open; the lock re-engages after it"),
    relockDelayMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(0)
      .describe("delay between the door closing and the lock re-engaging"),
  })
  .strict();
