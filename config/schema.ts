import { z } from "zod";

/**
 * The one schema for a station's config file. The TypeScript type and config/schema.json (for
 * editors) are both derived from it; a test keeps the JSON file in sync.
 *
 * Every field carries a description: it becomes the hint a technician reads next to an error.
 */

const bcmPin = z
  .number()
  .int()
  .min(0)
  .max(27)
  .describe("BCM GPIO number (0-27) as printed on pinout diagrams, not the physical header pin");

const gpioInput = z
  .object({
    pin: bcmPin,
    activeLow: z
      .boolean()
      .default(true)
      .describe("true when the contact pulls the line to ground when active (usual with pull-ups)"),
    debounceMs: z.number().int().min(0).max(1000).default(20).describe("ignore bounces shorter than this"),
  })
  .strict();

const gpioOutput = z
  .object({
    pin: bcmPin,
    activeLow: z.boolean().default(false).describe("true for relay boards that energise on a low level"),
  })
  .strict();

const reader = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "lower-case letters, digits and '-', at most 32")
      .describe("name of the reader in events, e.g. 'entry'"),
    kind: z
      .enum(["simulated"])
      .describe(
        "reader driver; 'simulated' is the in-process simulator (more kinds with the reader drivers)",
      ),
  })
  .strict();

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
    hardware: z
      .object({
        mode: z
          .enum(["real", "simulated"])
          .describe("'real' drives GPIO and readers on this board; 'simulated' runs the simulator"),
        gpio: z
          .object({
            lockRelay: gpioOutput.describe("relay that powers the lock"),
            doorContact: gpioInput.describe("door contact; active means the door is closed"),
            exitButton: gpioInput.describe("request-to-exit button inside the station"),
            sysfsRoot: z
              .string()
              .default("/sys/class/gpio")
              .describe("where the kernel's GPIO sysfs lives; only changed for tests"),
          })
          .strict(),
        readers: z
          .array(reader)
          .min(1)
          .default([{ id: "entry", kind: "simulated" }]),
      })
      .strict(),
    door: z
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
      .strict(),
    access: z
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
      .default({ allowList: [] }),
    mqtt: z
      .object({
        url: z
          .string()
          .regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/, "an URL such as mqtt://host:1883 or mqtts://host:8883")
          .default("mqtt://127.0.0.1:1883")
          .describe("broker URL"),
        topicRoot: z.string().default("waystation/v1").describe("prefix of every topic; the contract is v1"),
        keepaliveS: z.number().int().min(5).max(600).default(30),
        protocolVersion: z
          .union([z.literal(5), z.literal(4)])
          .default(5)
          .describe("5 for MQTT 5 (default), 4 for MQTT 3.1.1 brokers"),
      })
      .strict()
      .default({
        url: "mqtt://127.0.0.1:1883",
        topicRoot: "waystation/v1",
        keepaliveS: 30,
        protocolVersion: 5,
      }),
    broker: z
      .object({
        embedded: z.boolean().default(false).describe("run an embedded broker (demo only)"),
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(1).max(65535).default(1883),
      })
      .strict()
      .default({ embedded: false, host: "127.0.0.1", port: 1883 })
      .describe("embedded MQTT broker for the demo; stations use the fleet's broker"),
    console: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default("127.0.0.1").describe("address the technician console listens on"),
        port: z.number().int().min(1).max(65535).default(8080),
      })
      .strict()
      .default({ enabled: true, host: "127.0.0.1", port: 8080 }),
    log: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .strict()
      .default({ level: "info" }),
  })
  .strict();

export type StationConfig = z.output<typeof StationConfigSchema>;
export type StationConfigInput = z.input<typeof StationConfigSchema>;
