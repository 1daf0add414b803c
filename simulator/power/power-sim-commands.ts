import { z } from "zod";
import type { SimCommand } from "../sim-commands.ts";
import type { PowerSimControl } from "./sim-power.ts";

const onOff = z
  .union([z.boolean(), z.enum(["on", "off", "true", "false"])])
  .transform((v) => v === true || v === "on" || v === "true")
  .describe("on or off");

/**
 * The safety faults of the simulated outlets and cabinet as simulator commands (`sim smoke on`
 * over the control socket, as the console's buttons do): smoke at the station's detector (on the
 * I/O board when the station file puts it there, so it travels through Firmata), smoke in the
 * cabinet, a thermal runaway in one slot.
 */
export function powerSimCommands(control: PowerSimControl): Record<string, SimCommand> {
  return {
    smoke: {
      summary: "smoke at the station's smoke detector (on the I/O board or a GPIO line)",
      args: z.object({ active: onOff }).strict(),
      run: (a: { active: boolean }) => {
        control.smoke(a.active);
        return { smoke: a.active };
      },
    },
    "cabinet-smoke": {
      summary: "the battery cabinet's smoke alarm",
      args: z.object({ active: onOff }).strict(),
      run: (a: { active: boolean }) => {
        control.cabinetSmoke(a.active);
        return { cabinetSmoke: a.active };
      },
    },
    "thermal-runaway": {
      summary: "a battery running away in a cabinet slot",
      args: z.object({ slot: z.coerce.number().int().min(1).max(64) }).strict(),
      run: (a: { slot: number }) => {
        control.thermalRunaway(a.slot);
        return { thermalRunaway: a.slot };
      },
    },
  } as Record<string, SimCommand>;
}
