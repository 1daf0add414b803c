import { z } from "zod";
import { cmd, onOff, type SimCommand } from "../sim-commands.ts";
import type { OccupancySim } from "./occupancy-sim.ts";

/**
 * The simulated occupancy devices' faults as simulator commands (`sim hang-board on` over the
 * control socket, as the console's button does): the I/O board hangs — its port stays open, it
 * answers nothing, not even the controller's liveness probe — or answers again.
 */
export function occupancySimCommands(sim: OccupancySim): Record<string, SimCommand> {
  return {
    "hang-board": cmd(
      "the I/O board hangs (port open, nothing answered) or answers again",
      z.object({ active: onOff }).strict(),
      (a) => {
        sim.hangBoard(a.active);
        return { boardHung: a.active };
      },
    ),
  };
}
