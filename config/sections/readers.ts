import { z } from "zod";

/**
 * Credential readers: `hardware.readers` in the station file. One entry per physical reader;
 * `kind` chooses the driver. Identifiers are hashed inside the driver, so nothing here is
 * personal data.
 */

const readerId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "lower-case letters, digits and '-', at most 32")
  .describe("name of the reader in events, e.g. 'entry'");

// hardware.ts has its own bcmPin; importing it here would make the two files import each other.
const wiegandLine = z
  .number()
  .int()
  .min(0)
  .max(27)
  .describe("BCM GPIO number (0-27) the reader's data line is wired to, through a level shifter");

export const simulatedReaderSchema = z
  .object({
    id: readerId,
    kind: z.literal("simulated").describe("the in-process simulated reader (no hardware at all)"),
  })
  .strict();

export const pcscReaderSchema = z
  .object({
    id: readerId,
    kind: z
      .literal("pcsc")
      .describe("a PC/SC reader through pcscd: ACR122U, ACR1252U, any CCID contactless reader"),
    readerName: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe(
        "part of the PC/SC reader name, case-insensitive (e.g. 'ACR122U'); without it the first reader pcscd lists",
      ),
    repeatMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(2000)
      .describe(
        "the same card seen again on this reader within this many ms of its last sighting is the same presentation (the resident ID card never halts and is re-read while it lies there)",
      ),
    allowVirtualReaders: z
      .boolean()
      .default(false)
      .describe(
        "also bind vpcd's 'Virtual PCD' readers (a test rig); never on a station: vpcd takes cards from the network",
      ),
    attachGraceMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(3000)
      .describe("at start, how long to wait for pcscd and the reader before reporting the reader offline"),
    pcscdSocket: z
      .string()
      .min(1)
      .optional()
      .describe("pcscd's socket when it is not the default /run/pcscd/pcscd.comm"),
  })
  .strict();

const bitRange = z
  .object({ start: z.number().int().min(0).max(63), length: z.number().int().min(1).max(48) })
  .strict();

export const wiegandFormatSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "lower-case letters, digits and '-'")
      .describe("name of the format in events (format: wiegand-<name>)"),
    bits: z.number().int().min(9).max(64).describe("frame length in bits, parity bits included"),
    facility: bitRange.optional().describe("facility (site) code: first bit (0 = first bit sent) and length"),
    card: bitRange.describe("card number: first bit (0 = first bit sent) and length"),
    parity: z
      .array(
        z
          .object({
            bit: z.number().int().min(0).max(63).describe("position of the parity bit"),
            type: z.enum(["even", "odd"]),
            over: z
              .array(
                z.union([z.number().int().min(0).max(63), z.tuple([z.number().int(), z.number().int()])]),
              )
              .min(1)
              .describe("bits it covers: single positions, or [first, last] inclusive ranges"),
          })
          .strict(),
      )
      .default([])
      .describe("parity bits checked on every frame; a frame failing one is refused"),
  })
  .strict();

export const BUILTIN_WIEGAND_FORMATS = [
  "wiegand-26",
  "wiegand-34",
  "wiegand-37",
  "keypad-4",
  "keypad-8",
] as const;

export const wiegandReaderSchema = z
  .object({
    id: readerId,
    kind: z.literal("wiegand").describe("a Wiegand reader or keypad on two GPIO input lines"),
    d0: wiegandLine.describe("BCM GPIO number of the green D0 wire (through a 5 V to 3.3 V level shifter)"),
    d1: wiegandLine.describe("BCM GPIO number of the white D1 wire (through a 5 V to 3.3 V level shifter)"),
    led: wiegandLine
      .optional()
      .describe(
        "BCM GPIO driving the reader's LED wire (brown; pulled low = green, else red) through a transistor",
      ),
    beeper: wiegandLine
      .optional()
      .describe("BCM GPIO driving the reader's beeper wire (yellow; pulled low = beep) through a transistor"),
    formats: z
      .array(z.enum(BUILTIN_WIEGAND_FORMATS))
      .default([...BUILTIN_WIEGAND_FORMATS])
      .describe("built-in frame formats accepted from this reader"),
    customFormats: z
      .array(wiegandFormatSchema)
      .default([])
      .describe("site-specific frame layouts, e.g. a 35-bit corporate format"),
    frameTimeoutMs: z
      .number()
      .min(2)
      .max(200)
      .default(25)
      .describe("silence that ends a frame; longer than the reader's longest gap between bits"),
    minPulseUs: z
      .number()
      .min(0)
      .max(1000)
      .default(10)
      .describe("low pulses shorter than this are glitches (noise), not bits"),
    maxPulseUs: z
      .number()
      .min(10)
      .max(20_000)
      .default(1000)
      .describe("a low pulse longer than this spoils the frame (Wiegand pulses are 20-100 us)"),
    pinTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(60_000)
      .default(10_000)
      .describe("keypad: a PIN being typed is dropped after this long without a key"),
  })
  .strict();

export const readerSchema = z.discriminatedUnion("kind", [
  simulatedReaderSchema,
  pcscReaderSchema,
  wiegandReaderSchema,
]);

const formatBits = (r: z.output<typeof wiegandReaderSchema>): { name: string; bits: number }[] => [
  ...r.formats.map((f) => ({
    name: f,
    bits: f === "keypad-4" ? 4 : f === "keypad-8" ? 8 : Number(f.slice("wiegand-".length)),
  })),
  ...r.customFormats.map((f) => ({ name: `wiegand-${f.name}`, bits: f.bits })),
];

/** Checks no single field can make: ids, wiring and formats that contradict each other. */
export const readersSchema = z
  .array(readerSchema)
  .min(1)
  .superRefine((readers, ctx) => {
    const ids = new Set<string>();
    const pins = new Map<number, string>();
    readers.forEach((r, i) => {
      if (ids.has(r.id)) {
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `reader id "${r.id}" is used twice` });
      }
      ids.add(r.id);
      if (r.kind !== "wiegand") return;
      if (r.d0 === r.d1) {
        ctx.addIssue({ code: "custom", path: [i, "d1"], message: "D0 and D1 must be different GPIO lines" });
      }
      for (const [line, pin] of [
        ["d0", r.d0],
        ["d1", r.d1],
        ...(r.led === undefined ? [] : [["led", r.led] as const]),
        ...(r.beeper === undefined ? [] : [["beeper", r.beeper] as const]),
      ] as const) {
        const other = pins.get(pin);
        if (other) {
          ctx.addIssue({ code: "custom", path: [i, line], message: `GPIO ${pin} is already ${other}` });
        }
        pins.set(pin, `${r.id}.${line}`);
      }
      const seen = new Map<number, string>();
      for (const f of formatBits(r)) {
        const clash = seen.get(f.bits);
        if (clash) {
          ctx.addIssue({
            code: "custom",
            path: [i, "customFormats"],
            message: `${f.name} and ${clash} both have ${f.bits} bits; a frame could not tell them apart`,
          });
        }
        seen.set(f.bits, f.name);
      }
      r.customFormats.forEach((f, j) => {
        const fields = [f.card, ...(f.facility ? [f.facility] : [])];
        const positions = [...fields.map((b) => b.start + b.length - 1), ...f.parity.map((p) => p.bit)];
        for (const p of f.parity) {
          for (const o of p.over) positions.push(...(typeof o === "number" ? [o] : o));
        }
        if (positions.some((p) => p >= f.bits || p < 0)) {
          ctx.addIssue({
            code: "custom",
            path: [i, "customFormats", j],
            message: `a field or parity bit of ${f.name} lies outside its ${f.bits} bits`,
          });
        }
      });
    });
  });

export type ReaderConfig = z.output<typeof readerSchema>;
export type PcscReaderConfig = z.output<typeof pcscReaderSchema>;
export type WiegandReaderConfig = z.output<typeof wiegandReaderSchema>;
export type WiegandFormatConfig = z.output<typeof wiegandFormatSchema>;

/** A Wiegand line must not share a GPIO with the door's own lines (`hardware.gpio`). */
export function refineReaderWiring(
  hardware: { gpio: Record<string, unknown>; readers: readonly ReaderConfig[] },
  ctx: z.RefinementCtx,
): void {
  const used = new Map<number, string>();
  for (const [name, line] of Object.entries(hardware.gpio)) {
    const pin = (line as { pin?: unknown } | undefined)?.pin;
    if (typeof pin !== "number") continue;
    const other = used.get(pin);
    if (other) {
      ctx.addIssue({
        code: "custom",
        path: ["gpio", name, "pin"],
        message: `GPIO ${pin} is already ${other}`,
      });
    }
    used.set(pin, `gpio.${name}`);
  }
  hardware.readers.forEach((r, i) => {
    if (r.kind !== "wiegand") return;
    for (const line of ["d0", "d1", "led", "beeper"] as const) {
      const pin = r[line];
      if (pin === undefined) continue;
      const other = used.get(pin);
      if (other) {
        ctx.addIssue({
          code: "custom",
          path: ["readers", i, line],
          message: `GPIO ${pin} is already ${other}`,
        });
      }
    }
  });
}
