import { z } from "zod";
import { cmd, onOff, type SimCommand } from "../sim-commands.ts";
import type { PowerSimControl } from "./sim-power.ts";

/**
 * The safety faults of the simulated outlets and cabinet as simulator commands (`sim smoke on`
 * over the control socket, as the console's buttons do): smoke at the station's detector (on the
 * I/O board when the station file puts it there, so it travels through Firmata), smoke in the
 * cabinet, a thermal runaway in one slot.
 */
export function powerSimCommands(control: PowerSimControl): Record<string, SimCommand> {
  const active = z.object({ active: onOff }).strict();
  return {
    smoke: cmd("smoke at the station's smoke detector (on the I/O board or a GPIO line)", active, (a) => {
      control.smoke(a.active);
      return { smoke: a.active };
    }),
    "cabinet-smoke": cmd("the battery cabinet's smoke alarm", active, (a) => {
      control.cabinetSmoke(a.active);
      return { cabinetSmoke: a.active };
    }),
    "thermal-runaway": cmd(
      "a battery running away in a cabinet slot",
      z.object({ slot: z.coerce.number().int().min(1).max(64) }).strict(),
      (a) => {
        control.thermalRunaway(a.slot);
        return { thermalRunaway: a.slot };
      },
    ),
  };
}
