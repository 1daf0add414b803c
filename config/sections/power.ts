import { z } from "zod";
import { cabinetSchema } from "./cabinet.ts";
import { timeWindowSchema } from "./door.ts";
import { gpioInput, gpioOutput } from "./hardware.ts";

/**
 * `modbus`, `outlets` and `safety` in the station file: the RS-485 buses, the charging outlets on
 * them, and the cross-subsystem safety inputs. The battery cabinet is in cabinet.ts.
 */
export const modbusBusSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/)
      .describe("name the outlets and the cabinet use for this bus"),
    kind: z
      .enum(["real", "simulated"])
      .describe("each bus on its own: a real USB–RS485 adapter, or the simulator's meters and cabinet"),
    path: z
      .string()
      .optional()
      .describe("serial device of a real bus; use /dev/serial/by-id/... so it survives re-plugging"),
    baud: z.number().int().min(1200).max(115200).default(9600).describe("PZEM-004T meters speak 9600 8N1"),
    timeoutMs: z
      .number()
      .int()
      .min(10)
      .max(5000)
      .default(100)
      .describe("wait for an answer beyond its wire time"),
    retries: z
      .number()
      .int()
      .min(0)
      .max(5)
      .default(1)
      .describe("extra attempts after a timeout or a CRC error"),
    offlineAfter: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(3)
      .describe("failed requests in a row before a device is offline"),
    reopenMs: z
      .number()
      .int()
      .min(50)
      .max(60_000)
      .default(1000)
      .describe("first wait before reopening an unplugged adapter"),
    minCycleMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(0)
      .describe("a poll cycle starts at most this often; 0 = back to back (the cut latency is one cycle)"),
    safetyReadsPerCycle: z
      .number()
      .int()
      .min(1)
      .max(4)
      .default(2)
      .describe("the cabinet's alarm register is read this often per cycle (each read ≈ 27 ms at 9600 baud)"),
    turnaroundMs: z
      .number()
      .min(0)
      .max(100)
      .default(3)
      .describe("simulated buses only: the devices' think time before answering"),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.kind === "real" && !b.path)
      ctx.addIssue({ code: "custom", path: ["path"], message: "a real bus needs the path of its adapter" });
  });

export const outletKindDefaults = {
  phone: { maxCurrentA: 1, maxPowerW: 60, completeBelowW: 0.8, maxSessionMin: 240 },
  ebike: { maxCurrentA: 3, maxPowerW: 400, completeBelowW: 4, maxSessionMin: 480 },
} as const;

export const outletSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/),
    kind: z.enum(["phone", "ebike"]).describe("sets the default limits"),
    bus: z.string().describe("id of the Modbus bus its meter is on"),
    meterAddress: z
      .number()
      .int()
      .min(1)
      .max(247)
      .describe("the PZEM-004T's slave address (holding register 0x0002)"),
    relay: gpioOutput.describe("relay that switches the outlet; unpowered = off"),
    reader: z
      .string()
      .optional()
      .describe(
        "id of a reader (hardware.readers) at this outlet: a granted card there starts a session bound to it, the same card again stops it; that reader never opens the door",
      ),
    maxCurrentA: z.number().positive().optional().describe("cut above this current (default by kind)"),
    maxPowerW: z.number().positive().optional().describe("cut above this power (default by kind)"),
    maxTempC: z.number().default(60).describe("cut above this temperature at the outlet"),
    completeBelowW: z
      .number()
      .min(0)
      .optional()
      .describe("charge complete when the power stays below this ..."),
    completeAfterMin: z.number().min(0.1).default(10).describe("... for this many minutes"),
    maxSessionMin: z.number().min(1).optional().describe("a session ends after this long"),
  })
  .strict();
export type OutletConfig = z.output<typeof outletSchema>;

/** The outlet's limits: what the file says, else its kind's defaults. */
export function outletLimits(o: OutletConfig) {
  const d = outletKindDefaults[o.kind];
  return {
    maxCurrentA: o.maxCurrentA ?? d.maxCurrentA,
    maxPowerW: o.maxPowerW ?? d.maxPowerW,
    maxTempC: o.maxTempC,
    completeBelowW: o.completeBelowW ?? d.completeBelowW,
    completeAfterMs: o.completeAfterMin * 60_000,
    maxSessionMs: (o.maxSessionMin ?? d.maxSessionMin) * 60_000,
  };
}

export const outletsSchema = z
  .object({
    binding: z
      .enum(["occupant", "credential"])
      .default("occupant")
      .describe(
        "occupant: a start without a credential binds to the person most recently let in; credential: every start names one",
      ),
    occupantWindowMin: z
      .number()
      .min(1)
      .default(240)
      .describe("how long after entry a person counts as the occupant"),
    fairUse: z
      .object({
        maxConcurrent: z.number().int().min(1).default(1).describe("outlets one person may use at once"),
        maxDailyWh: z
          .number()
          .min(1)
          .default(800)
          .describe("energy one person may draw per day (local midnight)"),
      })
      .strict()
      .default({ maxConcurrent: 1, maxDailyWh: 800 }),
    schedule: z
      .union([z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/), z.array(timeWindowSchema).min(1)])
      .optional()
      .describe(
        "opening hours of the outlets: the name of an access.schedules entry, or windows like it (local time in station.timezone, holidays from access.holidays); absent = always open. Outside them a start is refused (outside-schedule) and a running session is ended (reason schedule)",
      ),
    list: z.array(outletSchema).default([]),
  })
  .strict();

/** The smoke detector on the I/O board (occupancy.board): a digital pin or an analog threshold. */
export const boardSmokeSchema = z
  .object({
    board: z.union([
      z
        .object({ pin: z.number().int().min(2).max(69).describe("digital pin, read with the pull-up on") })
        .strict(),
      z
        .object({
          analog: z.number().int().min(0).max(15).describe("analog channel (A0 = 0) of a smoke sensor"),
          threshold: z.number().int().min(1).max(1022).describe("raw 0-1023: at or above it = smoke"),
        })
        .strict(),
    ]),
    activeLow: z
      .boolean()
      .default(false)
      .describe(
        "smoke reads low (a pin) or below the threshold (analog). Default: a normally-closed relay to ground opens on smoke, the pull-up reads high, and a cut wire reads as smoke",
      ),
    debounceMs: z.number().int().min(0).max(10_000).default(100).describe("a level must hold this long"),
    offlineGraceMs: z
      .number()
      .int()
      .min(500)
      .max(60_000)
      .default(5000)
      .describe("the board unseen this long (unplugged, hung, not yet ready at start) applies `offline`"),
    offline: z
      .enum(["cut-power", "alarm"])
      .default("cut-power")
      .describe(
        "board unseen: cut-power holds the outlets and the cabinet off until it is back (no latch, no door release); alarm treats it as smoke (latched, door released, sounder)",
      ),
  })
  .strict();
export type BoardSmokeConfig = z.output<typeof boardSmokeSchema>;

export const safetySchema = z
  .object({
    smokeDetector: z
      .union([gpioInput, boardSmokeSchema])
      .optional()
      .describe(
        "smoke detector: a GPIO line ({ pin, activeLow, debounceMs }; wire it normally-closed) or a pin of the I/O board ({ board: { pin } } or { board: { analog, threshold } }); active = smoke",
      ),
    cabinetPowerRelay: gpioOutput
      .optional()
      .describe("contactor feeding the cabinet's chargers; unpowered = cut"),
  })
  .strict();

export const powerSections = {
  modbus: z.array(modbusBusSchema).default([]).describe("RS-485 buses (Modbus RTU)"),
  outlets: outletsSchema.optional().describe("charging outlets; absent = none"),
  cabinet: cabinetSchema.optional().describe("battery-swap cabinet; absent = none"),
  safety: safetySchema.default({}),
};

/** Cross-checks: every outlet and the cabinet name a bus that exists; no two devices share an address. */
export function refinePowerWiring(
  c: {
    modbus: { id: string }[];
    outlets?: { list: OutletConfig[]; schedule?: string | readonly unknown[] | undefined } | undefined;
    cabinet?: { bus: string; address: number } | undefined;
    hardware?: { readers?: readonly { id: string }[] | undefined } | undefined;
    access?: { schedules: Readonly<Record<string, unknown>> } | undefined;
    occupancy?: { board?: unknown; outputs?: Readonly<Record<string, object | undefined>> } | undefined;
    safety?: { smokeDetector?: object | undefined } | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const buses = new Set(c.modbus.map((b) => b.id));
  const used = new Map<string, string>();
  const claim = (bus: string, address: number, who: string, path: (string | number)[]) => {
    if (!buses.has(bus)) {
      ctx.addIssue({
        code: "custom",
        path: [...path, "bus"],
        message: `no Modbus bus "${bus}" (modbus: [{ id: ${bus}, ... }])`,
      });
      return;
    }
    const key = `${bus}/${address}`;
    const other = used.get(key);
    if (other)
      ctx.addIssue({
        code: "custom",
        path,
        message: `${who} has address ${address} on bus ${bus}, already used by ${other}`,
      });
    used.set(key, who);
  };
  const readers = new Set((c.hardware?.readers ?? []).map((r) => r.id));
  const atOutlet = new Map<string, string>();
  c.outlets?.list.forEach((o, i) => {
    claim(o.bus, o.meterAddress, `outlet ${o.id}`, ["outlets", "list", i]);
    if (o.reader === undefined) return;
    const path = ["outlets", "list", i, "reader"];
    const other = atOutlet.get(o.reader);
    if (!readers.has(o.reader))
      ctx.addIssue({ code: "custom", path, message: `no reader "${o.reader}" in hardware.readers` });
    else if (other)
      ctx.addIssue({ code: "custom", path, message: `reader ${o.reader} is already at outlet ${other}` });
    atOutlet.set(o.reader, o.id);
  });
  if (c.cabinet) claim(c.cabinet.bus, c.cabinet.address, "the cabinet", ["cabinet"]);
  if (c.safety?.smokeDetector && "board" in c.safety.smokeDetector && !c.occupancy?.board)
    ctx.addIssue({
      code: "custom",
      path: ["safety", "smokeDetector", "board"],
      message: "the smoke detector is on the I/O board, but occupancy.board is not configured",
    });
  const sd = c.safety?.smokeDetector;
  const pin = sd && "board" in sd ? (sd.board as { pin?: number }).pin : undefined;
  for (const [name, ref] of Object.entries(c.occupancy?.outputs ?? {}))
    if (pin !== undefined && ref && "board" in ref && ref.board === pin)
      ctx.addIssue({
        code: "custom",
        path: ["safety", "smokeDetector", "board", "pin"],
        message: `board pin ${pin} is already the ${name} output (occupancy.outputs.${name})`,
      });
  const schedule = c.outlets?.schedule;
  if (typeof schedule === "string" && !(schedule in (c.access?.schedules ?? {})))
    ctx.addIssue({
      code: "custom",
      path: ["outlets", "schedule"],
      message: `no schedule "${schedule}" in access.schedules`,
    });
}

/** An output with a safe level (de-energised) that `lock safe` and the start of `run` drive. */
export interface SafeOutput {
  /** the line's name in logs: `relay:<outlet id>`, `cabinetPowerRelay` */
  readonly name: string;
  readonly pin: number;
  readonly activeLow: boolean;
  /** what de-energising it does, for the technician reading `lock safe`'s output */
  readonly safeMeans: string;
}

const outletRelayOnly = z.looseObject({ id: z.string(), relay: gpioOutput });
const cabinetRelayOnly = z.looseObject({ cabinetPowerRelay: gpioOutput });

/**
 * The outlet relays and the cabinet's contactor of a station file, read one entry at a time
 * from the file as parsed (a lock section keeps the other keys as they were written): an
 * outlet broken elsewhere (a bad limit, an unknown bus) still has its relay driven off, and
 * what cannot be read at all is said, not skipped in silence.
 */
export function safePowerOutputs(parsed: object): {
  outputs: SafeOutput[];
  unreadable: string[];
} {
  const file = parsed as { outlets?: unknown; safety?: unknown };
  const outputs: SafeOutput[] = [];
  const unreadable: string[] = [];
  const list = (file.outlets as { list?: unknown } | undefined)?.list;
  if (Array.isArray(list))
    list.forEach((entry, i) => {
      const r = outletRelayOnly.safeParse(entry);
      if (r.success)
        outputs.push({
          name: `relay:${r.data.id}`,
          ...r.data.relay,
          safeMeans: `outlet ${r.data.id} off`,
        });
      else unreadable.push(`outlets.list[${i}].relay`);
    });
  else if (file.outlets !== undefined && list !== undefined) unreadable.push("outlets.list");
  const safety = file.safety as { cabinetPowerRelay?: unknown } | undefined;
  if (safety?.cabinetPowerRelay !== undefined) {
    const r = cabinetRelayOnly.safeParse(safety);
    if (r.success)
      outputs.push({
        name: "cabinetPowerRelay",
        ...r.data.cabinetPowerRelay,
        safeMeans: "the cabinet's chargers cut",
      });
    else unreadable.push("safety.cabinetPowerRelay");
  }
  return { outputs, unreadable };
}
