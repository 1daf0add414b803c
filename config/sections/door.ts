import { z } from "zod";
import { deprecatedTimeZone } from "./time-zone.ts";

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:MM, 00:00 to 24:00")
  .describe("local time of day, HH:MM");

export const weekday = z
  .enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun", "hol"])
  .describe("a weekday, or hol: the days listed in access.holidays (on a holiday only hol windows apply)");

/** A daily window on some weekdays, in the station's local time; `to` may be before `from` (overnight). */
export const timeWindowSchema = z
  .object({
    days: z.array(weekday).min(1).default(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
    from: hhmm,
    to: hhmm,
  })
  .strict();

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
    relayRatedCycles: z
      .number()
      .int()
      .min(1000)
      .default(100_000)
      .describe("operations the lock relay is rated for; the relay-wear alarm is raised at 80 %"),
    heldOpenAlarmMs: z
      .number()
      .int()
      .min(5000)
      .max(3_600_000)
      .default(30_000)
      .describe("a door left open this long after a legitimate opening raises the held-open alarm"),
    forcedOpenGraceMs: z
      .number()
      .int()
      .min(0)
      .max(5000)
      .default(1000)
      .describe("an opening this soon after the lock re-engaged is a slow push, not a forced door"),
    fire: z
      .object({
        revert: z
          .enum(["on-input-clear", "manual-reset"])
          .default("manual-reset")
          .describe(
            "when the door relocks after a fire alarm: as soon as the panel clears the input, or only after a technician resets it as well",
          ),
      })
      .strict()
      .default({ revert: "manual-reset" }),
    passage: z
      .object({
        windows: z
          .array(timeWindowSchema)
          .default([])
          .describe("scheduled normally-open windows, e.g. { from: '08:00', to: '22:00' }"),
        firstCardUnlock: z
          .boolean()
          .default(false)
          .describe("a window opens the door only after the first grant of a person whose role is listed"),
        firstCardRoles: z.array(z.enum(["worker", "technician", "admin"])).default(["technician", "admin"]),
        timezone: deprecatedTimeZone("door.passage.timezone"),
      })
      .strict()
      .default({
        windows: [],
        firstCardUnlock: false,
        firstCardRoles: ["technician", "admin"],
      }),
  })
  .strict();
