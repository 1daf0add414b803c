import { z } from "zod";
import type { StationState } from "../contract/state.ts";
import type { CommandSpec } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";

/** What the station's own commands read. */
export interface StationCommandHost {
  state(): StationState;
  commands(): readonly CommandSpec[];
}

/** Commands every station answers, whatever its subsystems: its state and what it can be asked. */
export function stationCommands(host: StationCommandHost): CommandSpec[] {
  return [
    defineCommand({
      name: "status",
      summary: "the station's current state (door, lock, readers, journal)",
      args: z.object({}).strict(),
      run: async () => ({ status: "ok", data: host.state() }),
    }),
    defineCommand({
      name: "commands",
      summary: "the commands this station accepts",
      args: z.object({}).strict(),
      run: async () => ({
        status: "ok",
        data: host.commands().map((c) => ({ name: c.name, summary: c.summary })),
      }),
    }),
  ];
}
