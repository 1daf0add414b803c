import { join } from "node:path";
import type { Logger } from "pino";
import type { RemoteConfig } from "../../config/sections/remote.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import { stationTopics } from "../contract/state.ts";
import { CredentialLists } from "../credentials/credential-lists.ts";
import { credentialListHandler } from "../credentials/list-intake.ts";
import type { TelemetryPart } from "../mqtt/telemetry-reporter.ts";
import type { Subsystem, SubsystemContext } from "../subsystem.ts";
import { CommandIntake } from "./command-intake.ts";
import { ConfigIntake } from "./config-intake.ts";
import { KeyRing } from "./key-ring.ts";
import { ReplayCache } from "./replay-cache.ts";

/**
 * Remote management from the central server (`remote` in the station file): signed commands on
 * `cmd/<name>`, through the same router as the technician's, and signed credential lists on
 * `credentials`. Absent from the file, the station subscribes to none of it.
 */
export class RemoteSubsystem implements Subsystem {
  readonly name = "remote";
  readonly replay: ReplayCache;
  readonly lists: CredentialLists;
  private intake: CommandIntake | undefined;
  private config: ConfigIntake | undefined;
  private listsOpen = false;
  private readonly changes = new Listeners<void>();
  private readonly log: Logger;

  constructor(
    private readonly ctx: SubsystemContext,
    private readonly settings: RemoteConfig,
  ) {
    this.log = ctx.logger.child({ module: "remote" });
    this.replay = new ReplayCache(join(ctx.config.dataDir, "remote.db"));
    // The credential store's own file: the list lands in the table the door reads.
    this.lists = new CredentialLists(join(ctx.config.dataDir, "credentials.db"));
  }

  async start(): Promise<void> {
    const { ports, config, hardware, bus } = this.ctx;
    const link = ports.mqtt;
    const router = ports.commands;
    if (!link || !router)
      throw new Error("remote management needs the station's MQTT link and command router");
    try {
      this.replay.open();
    } catch (err) {
      // Fail closed: every signed message is refused (REPLAY_CACHE_UNAVAILABLE) until the file opens.
      this.log.error(
        { err, file: this.replay.file },
        "replay cache cannot be opened; remote commands are refused",
      );
    }
    const base = stationTopics(config.mqtt.topicRoot, config.station.id).base;
    const intake = new CommandIntake(
      { ...this.settings, stationId: config.station.id, base },
      {
        link,
        router,
        replay: this.replay,
        clock: hardware.clock,
        timeQuality: () => hardware.timeSource.quality(),
        log: this.log,
      },
    );
    try {
      this.lists.open();
      this.listsOpen = true;
      this.warnStrandedList();
      intake.handle(
        "credentials",
        credentialListHandler(intake, this.lists, bus, this.log, () => this.changes.emit()),
      );
    } catch (err) {
      this.log.error(
        { err, file: this.lists.file },
        "credential lists unavailable; the station takes no list updates",
      );
    }
    this.intake = intake;
    intake.start();
    this.config = new ConfigIntake(
      {
        stationId: config.station.id,
        base,
        dataDir: config.dataDir,
        fileConfig: this.ctx.fileConfig ?? config,
        maxMessageBytes: this.settings.maxMessageBytes,
      },
      {
        link,
        keys: new KeyRing(this.settings.keys),
        router,
        bus,
        clock: hardware.clock,
        log: this.log,
        live: ports.liveConfig ? (c) => ports.liveConfig?.apply(c) : undefined,
      },
    );
    this.config.start();
  }

  /** A central list under a key the station no longer holds (a forced rotation): said at start. */
  private warnStrandedList(): void {
    const { current, next, list } = this.lists.keys();
    if (list === undefined || list === current || list === next) return;
    this.log.error(
      { listKeyFingerprint: list, current, count: this.lists.status().listCount },
      "the central credential list is hashed under a key this station no longer holds: its cards are refused until the centre sends a full list under the current key",
    );
  }

  async stop(): Promise<void> {
    this.intake?.stop();
    this.config?.stop();
    this.replay.close();
    this.lists.close();
    this.listsOpen = false;
  }

  /** the active list's version and hash in every heartbeat, so the centre sees drift */
  telemetry(): TelemetryPart {
    if (!this.listsOpen) return { fields: {} };
    const { listVersion, listHash, keyFingerprint } = this.lists.status();
    return { fields: { credentialList: { listVersion, listHash, keyFingerprint } } };
  }

  snapshot() {
    return this.listsOpen ? { credentialList: this.lists.status() } : {};
  }

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }
}
