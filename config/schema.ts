import { z } from "zod";
import { accessSchema } from "./sections/access.ts";
import { consoleSchema } from "./sections/console.ts";
import { controlSchema } from "./sections/control.ts";
import { doorSchema } from "./sections/door.ts";
import { faceSchema } from "./sections/face.ts";
import { hardwareSchema } from "./sections/hardware.ts";
import { journalSchema } from "./sections/journal.ts";
import { brokerSchema, mqttSchema } from "./sections/mqtt.ts";
import { occupancySchema } from "./sections/occupancy.ts";
import { powerSections, refinePowerWiring } from "./sections/power.ts";
import { remoteSchema } from "./sections/remote.ts";
import { stationTimeZone } from "./sections/time-zone.ts";
import { refineTimeZones } from "./station-time-zone.ts";

/**
 * The one schema for a station's config file, assembled from one file per section in
 * config/sections/. The TypeScript type and config/schema.json (for editors) are both derived
 * from it; a test keeps the JSON file in sync.
 *
 * Every field carries a description: it becomes the hint a technician reads next to an error.
 */

const stationId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    "lower-case letters, digits, '-' and '_', at most 64 (it is an MQTT topic level)",
  )
  .describe("unique id of this station in the fleet; it becomes a level of every MQTT topic");

export const StationConfigSchema = z
  .object({
    station: z
      .object({
        id: stationId,
        name: z.string().max(200).optional().describe("human-readable name shown in the console"),
        timezone: stationTimeZone(),
      })
      .strict(),
    dataDir: z
      .string()
      .min(1)
      .default("/var/lib/waystation")
      .describe("directory for the station's databases; must survive reboots"),
    secretsFile: z
      .string()
      .min(1)
      .default("/etc/waystation/secrets.yaml")
      .describe("YAML file with the fleet credential key and broker credentials; mode 0600"),
    hardware: hardwareSchema,
    door: doorSchema,
    access: accessSchema,
    journal: journalSchema,
    face: faceSchema.optional().describe("face verification; absent = no face module"),
    mqtt: mqttSchema,
    broker: brokerSchema,
    ...powerSections,
    occupancy: occupancySchema.optional().describe("who is inside: radar, PIR, beam counter, I/O board"),
    remote: remoteSchema,
    console: consoleSchema,
    control: controlSchema,
    log: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .strict()
      .default({ level: "info" }),
  })
  .strict()
  .superRefine((c, ctx) => {
    refinePowerWiring(c, ctx);
    refineTimeZones(c, ctx);
    // A real station with no broker would store every event and deliver none, silently.
    if (c.hardware.mode === "real" && c.mqtt.url === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["mqtt", "url"],
        message: "a station on real hardware must name its broker",
      });
    }
    const tls = c.mqtt.tls;
    if (c.hardware.mode === "real" && tls && !tls.rejectUnauthorized && !tls.allowInsecure) {
      ctx.addIssue({
        code: "custom",
        path: ["mqtt", "tls", "rejectUnauthorized"],
        message:
          "an unverified broker certificate on real hardware is refused: give tls.ca instead, or set tls.allowInsecure: true (for a bench only)",
      });
    }
  });

export type StationConfig = z.output<typeof StationConfigSchema>;

/**
 * The lock relay's part of a station file, read on its own (config/load.ts, loadLockSection):
 * every other section is ignored, so a mistake there cannot keep the lock from going safe.
 */
export const LockSectionSchema = z.looseObject({
  dataDir: StationConfigSchema.shape.dataDir,
  hardware: z.looseObject({
    mode: StationConfigSchema.shape.hardware.shape.mode,
    gpio: z.looseObject({
      lockRelay: StationConfigSchema.shape.hardware.shape.gpio.shape.lockRelay,
      sysfsRoot: StationConfigSchema.shape.hardware.shape.gpio.shape.sysfsRoot,
    }),
  }),
  door: z.looseObject({ lockMode: doorSchema.shape.lockMode.optional() }).optional(),
  log: z.looseObject({ level: StationConfigSchema.shape.log.unwrap().shape.level }).optional(),
});
export type LockSection = z.output<typeof LockSectionSchema>;
export type StationConfigInput = z.input<typeof StationConfigSchema>;
