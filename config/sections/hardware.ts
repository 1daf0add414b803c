import { z } from "zod";
import { readersSchema, refineReaderWiring } from "./readers.ts";

export { readerSchema } from "./readers.ts";

/** GPIO lines and readers: `hardware` in the station file. */
export const bcmPin = z
  .number()
  .int()
  .min(0)
  .max(27)
  .describe("BCM GPIO number (0-27) as printed on pinout diagrams, not the physical header pin");

export const gpioInput = z
  .object({
    pin: bcmPin,
    activeLow: z
      .boolean()
      .default(true)
      .describe("true when the contact pulls the line to ground when active (usual with pull-ups)"),
    debounceMs: z.number().int().min(0).max(1000).default(20).describe("ignore bounces shorter than this"),
  })
  .strict();

export const gpioOutput = z
  .object({
    pin: bcmPin,
    activeLow: z.boolean().default(false).describe("true for relay boards that energise on a low level"),
  })
  .strict();

export const hardwareSchema = z
  .object({
    mode: z
      .enum(["real", "simulated"])
      .describe("'real' drives GPIO and readers on this board; 'simulated' runs the simulator"),
    gpio: z
      .object({
        lockRelay: gpioOutput.describe("relay that powers the lock"),
        doorContact: gpioInput.describe("door contact; active means the door is closed"),
        exitButton: gpioInput.describe("request-to-exit button inside the station"),
        fireAlarm: gpioInput
          .optional()
          .describe(
            "fire alarm panel relay; active = alarm. Wire it normally-closed so a cut wire is an alarm",
          ),
        tamper: gpioInput.optional().describe("enclosure tamper switch; active = opened"),
        onBattery: gpioInput.optional().describe("UPS 'on battery' signal; active = mains lost"),
        alarmSounder: gpioOutput.optional().describe("local sounder/strobe driven during alarms"),
        sysfsRoot: z
          .string()
          .default("/sys/class/gpio")
          .describe("where the kernel's GPIO sysfs lives; only changed for tests"),
      })
      .strict(),
    readers: readersSchema.default([{ id: "entry", kind: "simulated" }]),
  })
  .strict()
  .superRefine(refineReaderWiring);
