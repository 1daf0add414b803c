import type { Logger } from "pino";
import type { StationConfig } from "../config/schema.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { StationState } from "./contract/state.ts";
import { inspectionCommands } from "./control/inspection-commands.ts";
import { selftestCommand } from "./control/selftest.ts";
import type { EventBus } from "./events/event-bus.ts";
import type { LogTail } from "./log-tail.ts";
import { CommandRouter } from "./remote/command-router.ts";
import { stationCommands } from "./remote/station-commands.ts";
import type { CommandSpec, Subsystem } from "./subsystem.ts";

export interface StationCommandHost {
  readonly config: StationConfig;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly bootId: string;
  readonly version: string;
  readonly subsystems: readonly Subsystem[];
  state(): StationState;
  /** the MQTT link's health, for diagnostics */
  linkStatus(): unknown;
  rebirth(): void;
  logTail?: LogTail | undefined;
  restart?: (() => void) | undefined;
  /** what the composition root adds (the simulator's controls on a simulated station) */
  extra?: readonly CommandSpec[] | undefined;
}

/**
 * The station's one command router, with every command registered: each subsystem's, the
 * station's own (status, commands, doctor, selftest, restart, rebirth, diagnostics) and the
 * composition root's. The MQTT intake, the control socket and the console all run through it,
 * so a command is checked and audited the same way whoever asks.
 */
export function stationCommandRouter(host: StationCommandHost, logger: Logger): CommandRouter {
  const router = new CommandRouter(host.bus, host.clock, logger);
  router.register([
    ...inspectionCommands({
      state: () => host.state(),
      commands: () => router.list(),
      subsystems: host.subsystems,
    }),
    selftestCommand({
      subsystems: host.subsystems,
      bus: host.bus,
      clock: host.clock,
      dataDir: host.config.dataDir,
      stationId: host.config.station.id,
      bootId: host.bootId,
      version: host.version,
    }),
    ...stationCommands({
      version: host.version,
      bootId: host.bootId,
      health: () => {
        const { door, alarms, time, power, readers, journal } = host.state();
        return { door, alarms, time, power, readers, journal, link: host.linkStatus() };
      },
      logTail: (n) => host.logTail?.last(n) ?? [],
      rebirth: () => host.rebirth(),
      restart: host.restart,
      later: (fn, ms) => host.clock.setTimeout(fn, ms),
    }),
    ...host.subsystems.flatMap((s) => [...(s.commands ?? [])]),
    ...(host.extra ?? []),
  ]);
  return router;
}
