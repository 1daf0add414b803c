import { z } from "zod";
import { timeWindowSchema } from "./door.ts";
import { bcmPin, gpioInput, gpioOutput } from "./hardware.ts";
import { deprecatedTimeZone } from "./time-zone.ts";

/**
 * Who is inside: `occupancy` in the station file (absent = no occupancy subsystem). Each serial
 * device names either a real port or `simulated` (the simulator's peer), whatever the GPIO is, so
 * a technician can bench-test a USB radar on a laptop with simulated GPIO.
 */
const serialPort = z
  .union([z.literal("simulated"), z.string().regex(/^\//, "an absolute device path")])
  .describe("a device path (best /dev/serial/by-id/...), or 'simulated' for the simulator's peer");

const minutes = (def: number, what: string) =>
  z
    .number()
    .min(0.1)
    .max(24 * 60)
    .default(def)
    .describe(what);

const radarSchema = z
  .object({
    port: serialPort,
    baudRate: z.number().int().default(256000).describe("the LD2410's UART speed (256000 from the factory)"),
    staleMs: z
      .number()
      .int()
      .min(300)
      .max(60_000)
      .default(2000)
      .describe("no report for this long: the radar is stale and is restarted (it sends ~10 per second)"),
    latchMin: minutes(10, "identical energies for this long while someone is reported: latched, restarted"),
    engineering: z.boolean().default(true).describe("ask for per-gate energies (sharper latch detection)"),
    maxGate: z.number().int().min(2).max(8).optional().describe("farthest gate (0.75 m each) to report"),
    noOneS: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .optional()
      .describe("seconds the module holds 'present' after the last target"),
  })
  .strict();

const beamSchema = z
  .object({
    outer: gpioInput.describe("the beam nearer the outside; active = broken"),
    inner: gpioInput.describe("the beam nearer the inside; active = broken"),
    passageTimeoutMs: z
      .number()
      .int()
      .min(500)
      .max(30_000)
      .default(4000)
      .describe("a crossing must finish within this"),
    blockedMs: z
      .number()
      .int()
      .min(1000)
      .max(600_000)
      .default(30_000)
      .describe("a beam broken this long is suspect (misaligned, dirty, blocked)"),
  })
  .strict();

/** A switched load: a relay on the I/O board, or a GPIO line of the controller. */
const outputRef = z.union([
  z.object({ board: z.number().int().min(2).max(69).describe("digital pin on the I/O board") }).strict(),
  z.object({ gpio: bcmPin, activeLow: gpioOutput.shape.activeLow }).strict(),
]);

const boardSchema = z
  .object({
    port: serialPort,
    baudRate: z.number().int().default(57600).describe("StandardFirmata's speed"),
    readyTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(60_000)
      .default(10_000)
      .describe("a board that has not answered the Firmata handshake by then is reported not ready"),
    probeMs: z
      .number()
      .int()
      .min(200)
      .max(60_000)
      .default(1000)
      .describe(
        "liveness probe: a Firmata firmware query this often; a board that answers none of 3 in a row is hung (not ready, reconnected)",
      ),
    analog: z
      .record(z.string(), z.number().int().min(0).max(15))
      .default({})
      .describe("named analog inputs by channel, e.g. temperature: 0 (A0)"),
  })
  .strict();

export const occupancySchema = z
  .object({
    radar: radarSchema.optional(),
    pir: gpioInput.optional().describe("PIR motion sensor; active = motion"),
    beam: beamSchema.optional(),
    board: boardSchema.optional().describe("an Arduino-class I/O board with StandardFirmata"),
    outputs: z
      .object({
        lights: outputRef.optional(),
        ventilation: outputRef.optional(),
        callLight: outputRef.optional().describe("the welfare call light outside"),
        buzzer: outputRef.optional().describe("a local buzzer for the welfare alert"),
      })
      .strict()
      .default({}),
    grantWindowMs: z
      .number()
      .int()
      .min(1000)
      .max(120_000)
      .default(30_000)
      .describe("a grant lets one person in within this time; more people in than grants is tailgating"),
    welfare: z
      .object({
        noMovementMin: minutes(45, "someone present and not moving this long raises the welfare alert"),
        windows: z
          .array(timeWindowSchema)
          .default([{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "22:00", to: "06:00" }])
          .describe("when the welfare alert applies (local time); empty = never"),
        timezone: deprecatedTimeZone("occupancy.welfare.timezone"),
      })
      .strict()
      .default({
        noMovementMin: 45,
        windows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "22:00", to: "06:00" }],
      }),
    emptyOffMin: minutes(10, "nobody present this long: lights and ventilation off"),
    falsePresenceMin: minutes(
      30,
      "radar presence with nobody counted in and the door shut this long marks the radar suspect (keep it below the welfare time)",
    ),
    emptyConfirmMin: minutes(
      20,
      "people counted but radar and PIR see nobody this long: the count is reset (lost exits)",
    ),
    pirStuckMin: minutes(
      15,
      "the PIR reading motion while the radar (or the door count) says nobody is there, or quiet while the beam and radar see people move, this long: the PIR is suspect",
    ),
    exitReaders: z
      .array(z.string())
      .default([])
      .describe("reader ids on the inside of the door: a grant there is a way out"),
    antiPassbackByDirection: z
      .boolean()
      .default(false)
      .describe(
        "with an exit reader: a card that is inside cannot enter again until it has left; lost exits are forgiven when the station is seen empty",
      ),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const [name, ref] of Object.entries(o.outputs)) {
      if (ref && "board" in ref && !o.board) {
        ctx.addIssue({
          code: "custom",
          path: ["outputs", name],
          message: `${name} is on the I/O board, but occupancy.board is not configured`,
        });
      }
    }
  });

export type OccupancyConfig = z.output<typeof occupancySchema>;
