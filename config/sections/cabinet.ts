import { z } from "zod";

/**
 * The battery-swap cabinet and its Modbus register map. The default map is ours
 * (docs/cabinet-modbus.md); a vendor's cabinet is described here instead of in code: addresses,
 * offsets, scaling, bit positions and the names of its fault bits.
 */
const word = z.number().int().min(0).max(0xffff);
const bit = z.number().int().min(0).max(15);
const field = z
  .object({
    offset: z.number().int().min(0).max(63).describe("register offset inside a slot's block"),
    scale: z.number().positive().default(1).describe("engineering value = raw × scale"),
    signed: z.boolean().default(false).describe("raw is a two's-complement 16-bit value"),
  })
  .strict();

export const DEFAULT_CABINET_MAP = {
  status: { address: 0x0000, count: 3, thermalBit: 0, smokeBit: 1, mainsBit: 2 },
  slots: { base: 0x0100, stride: 8 },
  slotStatus: { offset: 0, doorClosedBit: 0, doorLockedBit: 1, presentBit: 2, chargingBit: 3 },
  faults: {
    offset: 1,
    bits: { "over-temperature": 0, "over-voltage": 1, "cell-imbalance": 2, "bms-lost": 3, "door-jam": 4 },
  },
  batteryId: { offset: 2, words: 2 as const, highWordFirst: true },
  soc: { offset: 4, scale: 1, signed: false },
  voltage: { offset: 5, scale: 0.01, signed: false },
  temperature: { offset: 6, scale: 0.1, signed: true },
  commands: { base: 0x0200, unlock: 1, chargeOn: 2, chargeOff: 3 },
  power: { address: 0x0010, on: 1, off: 0 },
};

export const cabinetMapSchema = z
  .object({
    status: z
      .object({
        address: word.describe("input register with the cabinet's alarm bits"),
        count: z.number().int().min(1).max(8),
        thermalBit: bit,
        smokeBit: bit,
        mainsBit: bit,
      })
      .strict(),
    slots: z
      .object({
        base: word.describe("input register of slot 1's block"),
        stride: z.number().int().min(4).max(64),
      })
      .strict(),
    slotStatus: z
      .object({
        offset: z.number().int().min(0),
        doorClosedBit: bit,
        doorLockedBit: bit,
        presentBit: bit,
        chargingBit: bit,
      })
      .strict(),
    faults: z
      .object({
        offset: z.number().int().min(0),
        bits: z.record(z.string(), bit).describe("fault name → bit; any bit set makes the battery abnormal"),
      })
      .strict(),
    batteryId: z
      .object({
        offset: z.number().int().min(0),
        words: z.union([z.literal(1), z.literal(2)]),
        highWordFirst: z.boolean(),
      })
      .strict(),
    soc: field,
    voltage: field,
    temperature: field,
    commands: z
      .object({
        base: word.describe("holding register of slot 1's command; slot n is base + n - 1"),
        unlock: word,
        chargeOn: word,
        chargeOff: word,
      })
      .strict(),
    power: z
      .object({ address: word, on: word, off: word })
      .strict()
      .describe("holding register of the chargers' mains"),
  })
  .strict();
export type CabinetMap = z.output<typeof cabinetMapSchema>;

export const cabinetSchema = z
  .object({
    bus: z.string().describe("id of the Modbus bus the cabinet is on"),
    address: z.number().int().min(1).max(247).default(10),
    slots: z.number().int().min(1).max(24).default(6),
    map: cabinetMapSchema.default(DEFAULT_CABINET_MAP),
    maxTempC: z.number().default(55).describe("a battery hotter than this is quarantined"),
    minIssueSocPct: z.number().min(0).max(100).default(80).describe("a battery is handed out only this full"),
    timeouts: z
      .object({
        depositS: z.number().min(5).default(90).describe("to put the old battery in and close the door"),
        takeS: z.number().min(5).default(90).describe("to take the new battery and close the door"),
        doorOpenS: z
          .number()
          .min(5)
          .default(60)
          .describe("a slot door open longer raises cabinet.door-left-open"),
      })
      .strict()
      .default({ depositS: 90, takeS: 90, doorOpenS: 60 }),
    stateFile: z
      .string()
      .default("swap-state.json")
      .describe("the swap in progress, in dataDir, so a restart resumes it"),
  })
  .strict();
export type CabinetConfig = z.output<typeof cabinetSchema>;
