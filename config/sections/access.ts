import { z } from "zod";
import { timeWindowSchema } from "./door.ts";
import { deprecatedTimeZone } from "./time-zone.ts";

const role = z.enum(["worker", "technician", "admin"]);

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
            role: role.default("worker"),
          })
          .strict(),
      )
      .default([])
      .describe("static credentials loaded into the store at start; keyed hashes, never card numbers"),
    schedules: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/), z.array(timeWindowSchema).min(1))
      .default({})
      .describe(
        "named weekly schedules credentials can refer to, e.g. night-shift: [{ from: '20:00', to: '08:00' }]",
      ),
    holidays: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD"))
      .default([])
      .describe(
        "dates on which schedule-restricted credentials are refused unless their schedule allows holidays",
      ),
    timezone: deprecatedTimeZone("access.timezone"),
    lockout: z
      .object({
        threshold: z
          .number()
          .int()
          .min(2)
          .max(50)
          .default(5)
          .describe("consecutive refused reads at one reader before it locks out (GB 50396: at most 5)"),
        cooldownMs: z.number().int().min(5000).max(3_600_000).default(60_000),
      })
      .strict()
      .default({ threshold: 5, cooldownMs: 60_000 }),
    rereadSuppressMs: z
      .number()
      .int()
      .min(0)
      .max(30_000)
      .default(3000)
      .describe(
        "the same card read again at the same reader within this time is ignored; the same face refused again is journalled once in it",
      ),
    capacity: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("workers are refused while this many people are inside (needs an occupancy figure)"),
    pins: z
      .object({
        minLength: z
          .number()
          .int()
          .min(4)
          .max(12)
          .default(6)
          .describe(
            "shortest PIN accepted, at the keypad and at enrolment (a 4-digit PIN is 1 guess in 10,000)",
          ),
        secondFactorWindowMs: z
          .number()
          .int()
          .min(1000)
          .max(120_000)
          .default(30_000)
          .describe(
            "a PIN typed this long before the card counts as the second factor of a credential that needs one",
          ),
        allowPinOnly: z
          .boolean()
          .default(false)
          .describe(
            "accept a PIN alone as a credential; off, a PIN typed on its own is refused (a PIN is anyone's who saw it typed)",
          ),
      })
      .strict()
      .default({ minLength: 6, secondFactorWindowMs: 30_000, allowPinOnly: false }),
    antiPassback: z
      .object({
        windowMs: z
          .number()
          .int()
          .min(0)
          .max(86_400_000)
          .default(0)
          .describe("a credential granted entry cannot enter again within this time (0 = off)"),
      })
      .strict()
      .default({ windowMs: 0 }),
    degraded: z
      .object({
        faceDown: z
          .enum(["deny", "card-only"])
          .default("deny")
          .describe(
            "credentials that need a face check while the face module is down: refuse, or accept the card alone",
          ),
        passageWhenTimeUnknown: z
          .boolean()
          .default(false)
          .describe("apply passage windows even when the clock cannot be trusted"),
        suspendPassageOnBattery: z
          .boolean()
          .default(false)
          .describe("end passage mode while the station runs on UPS battery"),
      })
      .strict()
      .default({ faceDown: "deny", passageWhenTimeUnknown: false, suspendPassageOnBattery: false }),
  })
  .strict()
  .default({
    allowList: [],
    schedules: {},
    holidays: [],
    lockout: { threshold: 5, cooldownMs: 60_000 },
    rereadSuppressMs: 3000,
    pins: { minLength: 6, secondFactorWindowMs: 30_000, allowPinOnly: false },
    antiPassback: { windowMs: 0 },
    degraded: { faceDown: "deny", passageWhenTimeUnknown: false, suspendPassageOnBattery: false },
  });
