import { z } from "zod";
import { type CommandSpec, defineCommand } from "../subsystem.ts";

export interface StationCommandDeps {
  version: string;
  bootId: string;
  /** the health parts of the station's state (journal, link, alarms, door, time) */
  health(): unknown;
  /** the last redacted log lines */
  logTail(n: number): string[];
  /** re-publish status and state */
  rebirth(): void;
  /** the host's planned restart (stop cleanly, exit; the service manager starts it again) */
  restart?: (() => void) | undefined;
  /** schedule `fn` soon (after the reply went out) */
  later(fn: () => void, ms: number): void;
}

/** After the reply, so the central server hears "ok" before the station goes away. */
const RESTART_DELAY_MS = 1000;

/** The station-wide commands: restart, rebirth, diagnostics. */
export function stationCommands(deps: StationCommandDeps): CommandSpec[] {
  return [
    defineCommand({
      name: "restart",
      summary:
        "a planned restart: the lock goes to its safe state, the service manager starts the station again",
      args: z.object({}).strict(),
      run: async () => {
        const restart = deps.restart;
        if (!restart) return { status: "error", code: "RESTART_UNSUPPORTED" };
        deps.later(restart, RESTART_DELAY_MS);
        return { status: "ok", data: { inMs: RESTART_DELAY_MS } };
      },
    }),
    defineCommand({
      name: "rebirth",
      summary: "re-publish the retained status and state",
      args: z.object({}).strict(),
      run: async () => {
        deps.rebirth();
        return { status: "ok" };
      },
    }),
    defineCommand({
      name: "diagnostics",
      summary: "versions, health and the last log lines (redacted)",
      args: z.object({ lines: z.number().int().min(0).max(200).default(50) }).strict(),
      run: async (args) => {
        return {
          status: "ok",
          data: {
            versions: {
              waystation: deps.version,
              node: process.versions.node,
              sqlite: process.versions.sqlite,
              openssl: process.versions.openssl,
              platform: `${process.platform}-${process.arch}`,
            },
            bootId: deps.bootId,
            uptimeS: Math.round(process.uptime()),
            rssBytes: process.memoryUsage.rss(),
            health: deps.health(),
            log: deps.logTail(args.lines),
          },
        };
      },
    }),
  ];
}
