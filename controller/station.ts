import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { isStationError } from "../config/errors.ts";
import type { StationConfig } from "../config/schema.ts";
import { controlSocketPath } from "../config/sections/control.ts";
import { deprecatedSettings } from "../config/station-time-zone.ts";
import { configWarnings } from "../config/warnings.ts";
import type { Hardware } from "../device/hardware.ts";
import type { TimerHandle } from "../device/ports/clock.ts";
import { Listeners } from "../device/ports/listeners.ts";
import type { CredentialStore } from "./access/credential-store.ts";
import { AlarmBoard } from "./alarms/alarm-board.ts";
import type { ConfigEditor } from "./console/config-editor.ts";
import type { ConsoleServer } from "./console/console-server.ts";
import { createConsole } from "./console/console-wiring.ts";
import type { ConsoleExtension } from "./console/http-route.ts";
import type { EventPayload, StationEvent } from "./contract/events.ts";
import type { StationState } from "./contract/state.ts";
import { ControlServer } from "./control/control-server.ts";
import type { Entrance } from "./entrance.ts";
import { EntranceSubsystem } from "./entrance-subsystem.ts";
import { EventBus } from "./events/event-bus.ts";
import { Journal } from "./journal/journal.ts";
import type { LogTail } from "./log-tail.ts";
import { reportingOptions, StationReporting } from "./mqtt/station-reporting.ts";
import { mergeParts } from "./mqtt/telemetry-reporter.ts";
import { RestartState } from "./persist/restart-state.ts";
import { StationStateFile, stationStateFile } from "./persist/station-state-file.ts";
import type { CommandRouter } from "./remote/command-router.ts";
import { stationCommandRouter } from "./station-commands.ts";
import type { CommandSpec, StationPorts, Subsystem, SubsystemFactory } from "./subsystem.ts";
import { SUBSYSTEMS } from "./subsystems.ts";

/** How long one subsystem may take to stop before the next is stopped anyway. */
const SUBSYSTEM_STOP_MS = 2000;

async function boundedStop(s: Subsystem, ms: number, onError: (err: unknown) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onError(new Error(`${s.name} took longer than ${ms} ms to stop`));
      resolve();
    }, ms);
  });
  await Promise.race([s.stop().catch(onError), timeout]);
  clearTimeout(timer);
}

export interface StationOptions {
  config: StationConfig;
  hardware: Hardware;
  credentials: CredentialStore;
  logger: Logger;
  version: string;
  mqttCredentials?: { username: string; password: string } | undefined;
  /** what the composition root adds to the console */
  consoleExtensions?: readonly ConsoleExtension[];
  /** the station file the console may edit (its save command is in `commands`) */
  configEditor?: ConfigEditor;
  /** the console starts with nobody provisioned (a simulated door); otherwise it waits for `provision` */
  consoleWithoutUsers?: boolean;
  /** the capabilities, in start order (default: every one in controller/subsystems.ts) */
  subsystems?: readonly SubsystemFactory[];
  /** commands the composition root adds (the simulator's controls on a simulated station) */
  commands?: readonly CommandSpec[];
  /** the root logger's last lines, for the diagnostics command */
  logTail?: LogTail;
  /** the host's planned restart (the `restart` command): stop, exit, the service manager restarts */
  restart?: () => void;
  /** the station file as written, when `config` has the central server's desired overlay */
  fileConfig?: StationConfig;
}

/**
 * The controller: its subsystems (the entrance first), the journal and reporting, over whatever
 * hardware it is handed.
 */
export class Station {
  readonly bootId = randomUUID();
  readonly bus: EventBus;
  /** the capabilities, in start order; stopped in reverse */
  readonly subsystems: readonly Subsystem[];
  readonly ports: StationPorts = {};
  /** every subsystem's alarms, restored across restarts */
  readonly alarms = new AlarmBoard();
  /** what a restart must keep: `<dataDir>/station-state.json` */
  readonly restart: RestartState;
  readonly journal: Journal;
  readonly mqtt: StationReporting;
  /** every command, remote or local, goes through it */
  readonly router: CommandRouter;
  readonly console: ConsoleServer | undefined;
  /** the local CLI's way in: a socket only root or the service user can open */
  readonly control: ControlServer;
  private readonly since: string;
  private readonly stateChanges = new Listeners<StationState>();
  private readonly unsubscribers: (() => void)[] = [];
  private stateTimer: TimerHandle | undefined;
  private lastOversizeEventMs: number | undefined;
  private readonly insecure: boolean;
  private readonly log: Logger;

  constructor(private readonly opts: StationOptions) {
    const { config, hardware, logger } = opts;
    this.log = logger.child({ module: "station" });
    this.since = new Date(hardware.clock.now()).toISOString();
    this.bus = new EventBus(
      config.station.id,
      this.bootId,
      hardware.clock,
      (err, event) => this.log.error({ err, type: event.type, seq: event.seq }, "an event sink failed"),
      () => hardware.timeSource.quality(),
    );
    this.insecure = configWarnings(config).some((w) => w.insecure);
    this.ports.alarms = this.alarms;
    this.ports.restart = this.restart = new RestartState(
      new StationStateFile(stationStateFile(config.dataDir)),
      hardware.clock,
      logger.child({ module: "restart" }),
    );
    const ctx = {
      config,
      fileConfig: opts.fileConfig ?? config,
      hardware,
      bus: this.bus,
      credentials: opts.credentials,
      logger,
      ports: this.ports,
    };
    this.subsystems = (opts.subsystems ?? SUBSYSTEMS).flatMap((factory) => factory(ctx) ?? []);
    this.journal = new Journal(
      { ...config.journal, file: resolve(config.dataDir, config.journal.file) },
      hardware.clock,
      logger.child({ module: "journal" }),
    );
    this.mqtt = new StationReporting(
      reportingOptions(config, {
        status: {
          stationId: config.station.id,
          bootId: this.bootId,
          version: opts.version,
          since: this.since,
        },
        credentials: opts.mqttCredentials,
        telemetryParts: () => mergeParts(this.subsystems.map((s) => s.telemetry?.())),
      }),
      this.journal,
      hardware.clock,
      logger.child({ module: "mqtt" }),
    );
    this.router = stationCommandRouter(
      {
        config,
        bus: this.bus,
        clock: hardware.clock,
        bootId: this.bootId,
        version: opts.version,
        subsystems: this.subsystems,
        state: () => this.state(),
        linkStatus: () => this.mqtt.linkStatus(),
        rebirth: () => this.mqtt.rebirth(this.state()),
        logTail: opts.logTail,
        restart: opts.restart,
        extra: opts.commands,
      },
      logger.child({ module: "commands" }),
    );
    this.ports.mqtt = this.mqtt.link;
    this.ports.commands = this.router;
    this.control = new ControlServer(
      controlSocketPath(config),
      this.router,
      logger.child({ module: "control" }),
    );
    this.console = createConsole({
      config,
      bus: this.bus,
      runner: this.router,
      state: () => this.state(),
      onStateChange: (l) => this.stateChanges.add(l),
      monotonic: () => hardware.clock.monotonic(),
      logger,
      extensions: opts.consoleExtensions,
      configEditor: opts.configEditor,
      withoutUsers: opts.consoleWithoutUsers,
    });
  }

  async start(): Promise<void> {
    const { hardware } = this.opts;
    this.log.info({ hardware: hardware.label, stationId: this.opts.config.station.id }, "station starting");
    // The control socket first of all: a station already running on this file answers on it,
    // and this one must then stop before it touches the lock. Any other trouble with the socket
    // (a read-only disk, a bad path) costs the local CLI, never the door.
    await this.control.start().catch((err: unknown) => {
      if (!isStationError(err, "CONTROL_SOCKET_PATH")) throw err;
      this.log.error(
        { err: err.message, code: err.code, hint: err.details.hint },
        "control socket unavailable: the station runs, but the CLI cannot reach it",
      );
    });
    // The journal before anything can emit: it knows the last seq, and the bus numbers on from
    // there. It never throws; a journal that cannot write runs in memory and raises an alarm.
    await this.journal.start();
    this.bus.resumeAfter(this.journal.lastSeq);
    this.unsubscribers.push(
      this.bus.subscribe((event) => this.journal.append(event)),
      this.bus.subscribe((event) => this.logEvent(event)),
      this.bus.subscribe(() => this.scheduleState()),
      ...this.subsystems.flatMap((s) => (s.onChange ? [s.onChange(() => this.scheduleState())] : [])),
      this.journal.onNotice((n) => this.bus.emit(n.type, n.payload as never)),
      this.journal.onChange(() => this.scheduleState()),
    );
    this.mqtt.onStateRequest(() => this.scheduleState());
    this.unsubscribers.push(
      this.mqtt.link.onOversizePacket((d) => this.noteOversize(d.bytes, d.droppedTotal)),
    );
    for (const w of configWarnings(this.opts.config)) {
      this.log.warn({ setting: w.setting }, `insecure setting: ${w.detail}`);
      this.bus.emit("security.insecure-setting", { setting: w.setting, detail: w.detail });
    }
    for (const d of deprecatedSettings(this.opts.config)) {
      this.log.warn({ setting: d.setting, deprecated: true }, d.detail);
    }
    // What the last run left (a latched fire, alarms, lockouts), before any subsystem starts:
    // each picks up its part; an alarm raised again now is the same alarm, not a second one.
    this.alarms.restore(this.restart.load().alarms);
    this.unsubscribers.push(
      this.alarms.attach(this.bus),
      this.restart.track(() => ({ alarms: this.alarms.list() })),
      this.bus.subscribe((e) => {
        if (e.type === "alarm.raised" || e.type === "alarm.cleared") this.restart.changed();
      }),
    );
    // The subsystems next, the entrance first: whatever fails later, the lock is in its
    // configured state. Their events wait in the journal until MQTT (which never blocks) is up.
    for (const s of this.subsystems) {
      this.log.debug({ subsystem: s.name }, "starting");
      await s.start();
    }
    // Every subsystem had its chance to confirm a restored alarm; the rest have ended.
    this.alarms.settle(this.bus);
    this.restart.saveNow();
    // Commands from here on: every subsystem is running, and the first remote command can come
    // the moment MQTT connects.
    this.router.accepting = true;
    this.mqtt.start();
    this.mqtt.publishState(this.state());
    await this.console?.start();
    this.log.info({ bootId: this.bootId }, "station ready");
  }

  async stop(): Promise<void> {
    this.log.info("station stopping");
    this.router.accepting = false;
    await this.control.stop();
    // In reverse order, so the entrance (the lock) is the last subsystem to stop; a subsystem
    // whose stop hangs or fails is given up on after a bound, so the lock is never kept waiting,
    // and all of them stop before anything that could hang on the network.
    for (const s of [...this.subsystems].reverse()) {
      await boundedStop(s, SUBSYSTEM_STOP_MS, (err) =>
        this.log.error({ err, subsystem: s.name }, "subsystem did not stop cleanly"),
      );
    }
    this.restart.saveNow();
    for (const u of this.unsubscribers.splice(0)) u();
    this.opts.hardware.clock.clearTimeout(this.stateTimer);
    this.mqtt.publishState(this.state());
    await this.mqtt.stop();
    await this.journal.stop();
    await this.console?.stop();
    this.log.info("station stopped");
  }

  /**
   * The process is dying: every subsystem drives its outputs safe, synchronously, the entrance
   * (the lock) first. Called by the process guard before anything else.
   */
  failSafe(): void {
    for (const s of this.subsystems) {
      try {
        s.failSafe?.();
      } catch (err) {
        this.log.error({ err, subsystem: s.name }, "fail-safe failed");
      }
    }
  }

  /** Why the process dies, into the journal: resolves once it is committed (or cannot be). */
  async recordFault(fault: EventPayload<"controller.fault">): Promise<void> {
    this.bus.emit("controller.fault", fault);
    await this.journal.stop();
  }

  state(): StationState {
    return {
      stationId: this.opts.config.station.id,
      bootId: this.bootId,
      version: this.opts.version,
      ts: new Date(this.opts.hardware.clock.now()).toISOString(),
      ...(Object.assign({}, ...this.subsystems.map((s) => s.snapshot())) as ReturnType<Entrance["snapshot"]>),
      events: { lastSeq: this.bus.lastSeq },
      journal: this.journal.status(),
      ...(this.insecure ? { insecure: true as const } : {}),
    };
  }

  /** The entrance: door, access and alarms, the one subsystem every station has. */
  get entrance(): Entrance {
    const found = this.subsystems.find((s) => s instanceof EntranceSubsystem);
    if (!found) throw new Error("this station was built without its entrance");
    return (found as EntranceSubsystem).entrance;
  }

  private scheduleState(): void {
    if (this.stateTimer) return;
    this.stateTimer = this.opts.hardware.clock.setTimeout(() => {
      this.stateTimer = undefined;
      const state = this.state();
      this.mqtt.publishState(state);
      this.stateChanges.emit(state);
    }, this.opts.config.mqtt.stateDebounceMs);
  }

  /** Journalled at most once a minute: whoever floods the broker cannot flood the journal. */
  private noteOversize(bytes: number, droppedTotal: number): void {
    const now = this.opts.hardware.clock.monotonic();
    if (this.lastOversizeEventMs !== undefined && now - this.lastOversizeEventMs < 60_000) return;
    this.lastOversizeEventMs = now;
    this.bus.emit("mqtt.packet-dropped", {
      bytes,
      limit: this.opts.config.mqtt.maxIncomingPacketBytes,
      droppedTotal,
    });
  }

  private logEvent(event: StationEvent): void {
    const { id, bootId, ts, stationId, credential, ...rest } = event as StationEvent & {
      credential?: string;
    };
    this.log.debug(
      { ...rest, ...(credential ? { cred: credential.slice(0, 12) } : {}) },
      `event ${event.type}`,
    );
  }
}
