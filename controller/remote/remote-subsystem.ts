import { join } from "node:path";
import type { Logger } from "pino";
import type { RemoteConfig } from "../../config/sections/remote.ts";
import { stationTopics } from "../contract/state.ts";
import type { Subsystem, SubsystemContext } from "../subsystem.ts";
import { CommandIntake } from "./command-intake.ts";
import { ReplayCache } from "./replay-cache.ts";

/**
 * Remote management from the central server (`remote` in the station file): signed commands on
 * `cmd/<name>`, through the same router as the technician's. Absent from the file, the station
 * subscribes to none of it.
 */
export class RemoteSubsystem implements Subsystem {
  readonly name = "remote";
  readonly replay: ReplayCache;
  private intake: CommandIntake | undefined;
  private readonly log: Logger;

  constructor(
    private readonly ctx: SubsystemContext,
    private readonly settings: RemoteConfig,
  ) {
    this.log = ctx.logger.child({ module: "remote" });
    this.replay = new ReplayCache(join(ctx.config.dataDir, "remote.db"));
  }

  async start(): Promise<void> {
    const { ports, config, hardware } = this.ctx;
    const link = ports.mqtt;
    const router = ports.commands;
    if (!link || !router)
      throw new Error("remote management needs the station's MQTT link and command router");
    try {
      this.replay.open();
    } catch (err) {
      // Fail closed: every command is refused (REPLAY_CACHE_UNAVAILABLE) until the file opens.
      this.log.error(
        { err, file: this.replay.file },
        "replay cache cannot be opened; remote commands are refused",
      );
    }
    this.intake = new CommandIntake(
      {
        ...this.settings,
        stationId: config.station.id,
        base: stationTopics(config.mqtt.topicRoot, config.station.id).base,
      },
      {
        link,
        router,
        replay: this.replay,
        clock: hardware.clock,
        timeQuality: () => hardware.timeSource.quality(),
        log: this.log,
      },
    );
    this.intake.start();
  }

  async stop(): Promise<void> {
    this.intake?.stop();
    this.replay.close();
  }

  snapshot() {
    return {};
  }
}
