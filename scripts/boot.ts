import { join } from "node:path";
import type { Logger } from "pino";
import { checkDataDir } from "../config/private-files.ts";
import type { StationConfig } from "../config/schema.ts";
import { ensureStationKey, loadSecretsFile, type Secrets } from "../config/secrets.ts";
import { type CredentialStore, simpleEntry } from "../controller/access/credential-store.ts";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";
import { configEditor, configSaveCommand } from "../controller/console/config-editor.ts";
import type { ConsoleExtension } from "../controller/console/http-route.ts";
import { powerConsoleExtension } from "../controller/console/power-panel.ts";
import type { LogTail } from "../controller/log-tail.ts";
import { KeyRotation } from "../controller/remote/key-rotation.ts";
import { Station } from "../controller/station.ts";
import type { SubsystemFactory } from "../controller/subsystem.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import type { Hardware } from "../device/hardware.ts";
import {
  createRotatingHasher,
  credentialKeyFingerprint,
  type IdentifierHasher,
} from "../device/identity/hasher.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { GpioOutput } from "../device/ports/gpio.ts";
import { createRealHardware } from "../device/real-hardware.ts";
import { simConsolePanel } from "../simulator/console-panel.ts";
import { type DemoCard, simControlRoutes } from "../simulator/control-http.ts";
import type { OccupancySim } from "../simulator/occupancy/occupancy-sim.ts";
import { occupancySimCommands } from "../simulator/occupancy/occupancy-sim-commands.ts";
import { OffsetClock } from "../simulator/offset-clock.ts";
import { simPowerPanel, simPowerRoutes } from "../simulator/power/power-panel.ts";
import { powerSimCommands } from "../simulator/power/power-sim-commands.ts";
import type { SimPower } from "../simulator/power/sim-power.ts";
import { createSimulatedStation, type SimulatedStation } from "../simulator/station.ts";
import type { BuiltOccupancy } from "./occupancy-hardware.ts";
import { packageVersion } from "./paths.ts";
import { buildPowerHardware, withBoardSmoke } from "./power.ts";
import type { ProcessGuard } from "./process-guard.ts";
import { buildReaders, type PcscStackChoice } from "./readers.ts";
import { simCommandSpecs } from "./sim-command-specs.ts";

export interface BootOptions {
  config: StationConfig;
  logger: Logger;
  secrets?: Secrets;
  clock?: Clock;
  /** cards the console offers as buttons when the station is simulated */
  demoCards?: readonly DemoCard[];
  /** a store to use instead of the SQLite one in dataDir (benchmarks compare stores) */
  credentialStore?: CredentialStore;
  /** enrol credentials before the station starts (the demo's cards) */
  seedCredentials?: (store: SqliteCredentialStore, hasher: IdentifierHasher) => void;
  /** how long the simulated door closer takes (tests shorten it) */
  swingShutMs?: number;
  /** how long `sim tap` waits for the station's decision (tests shorten it) */
  tapAnswerMs?: number;
  consoleExtensions?: readonly ConsoleExtension[];
  /** simulated PC/SC readers: which pcscd plays the cards (default "auto", see scripts/readers.ts) */
  pcscStack?: PcscStackChoice;
  /** the station's capabilities (default: controller/subsystems.ts) */
  subsystems?: readonly SubsystemFactory[];
  /** simulated loads and batteries charge this many times faster (the demo) */
  powerTimeScale?: number;
  /** the root logger's last lines, for the diagnostics command */
  logTail?: LogTail;
  /** what the `restart` command does (the caller stops the station and exits) */
  restart?: () => void;
  /** the station file as written, when `config` carries the central server's desired overlay */
  fileConfig?: StationConfig;
  /**
   * The lock relay line `run` opened and drove safe before anything else (scripts/run-station.ts).
   * On real hardware it is the station's lock relay; on simulated hardware the simulated relay
   * follows it too (a relay board on the bench, or the GPIO death tests).
   */
  lockRelay?: GpioOutput;
  /** the station file, which the console's config page may edit */
  configFile?: string;
  /** drives the station's outputs safe and records why when the process dies of a fault */
  processGuard?: ProcessGuard;
}

export interface BootedStation {
  station: Station;
  credentials: CredentialStore;
  /** the SQLite store, unless one was passed in */
  store: SqliteCredentialStore | undefined;
  hasher: IdentifierHasher;
  /** present when the hardware is simulated */
  sim: SimulatedStation | undefined;
  /** the simulated meters, relays and cabinet, when any bus or the GPIO is simulated */
  powerSim: SimPower | undefined;
  /** each reader and how it is driven (real driver, vpcd, in-process simulation) */
  readerPaths: readonly { id: string; how: string }[];
  /** each serial occupancy device (radar, I/O board) and how it is reached */
  devicePaths: readonly { id: string; how: string }[];
  /** the simulated people and occupancy devices, when any are simulated */
  occupancySim: OccupancySim | undefined;
  stop(): Promise<void>;
}

/**
 * The composition root: the one place that chooses real or simulated hardware, builds the
 * controller over it, and starts it. Signal handling stays with the caller.
 */
/**
 * The station's X25519 key, added to a secrets file from before it existed (what a technician
 * upgrading in place expects: the next key rotation just works). A file that cannot be written
 * leaves the station running without one; `credential-key-rotate begin` then says what to do.
 */
function stationKeyOf(file: string, secrets: Secrets, logger: Logger): string | undefined {
  if (secrets.stationKey) return secrets.stationKey;
  const key = ensureStationKey(file, secrets);
  if (key) logger.warn({ module: "key-rotation", file }, "the secrets file had no stationKey: one was added");
  else
    logger.error(
      { module: "key-rotation", file },
      "the secrets file has no stationKey and cannot be written: credential key rotation is unavailable until one is added",
    );
  return key;
}

export async function bootStation(opts: BootOptions): Promise<BootedStation> {
  const { config, logger } = opts;
  // Like the secrets file: a data directory other users can read is refused before anything opens.
  checkDataDir(config.dataDir);
  const secrets = opts.secrets ?? loadSecretsFile(config.secretsFile);
  // One hasher for every reader: during a credential key rotation it hashes under both keys.
  const hasher = createRotatingHasher(secrets.credentialKey);
  // A simulated station gets a wall clock scenarios can step; a real one has the system's.
  const clock =
    opts.clock ??
    (config.hardware.mode === "simulated" ? new OffsetClock(new SystemClock()) : new SystemClock());

  let store: SqliteCredentialStore | undefined;
  let rotation: KeyRotation | undefined;
  if (!opts.credentialStore) {
    store = new SqliteCredentialStore(join(config.dataDir, "credentials.db"));
    const health = store.openDegradable();
    if (!health.writable) {
      logger.error(
        { module: "access", file: store.file, mode: health.mode, err: health.detail },
        health.mode === "read-only"
          ? "credential store is read-only: existing credentials work, changes cannot be saved"
          : "credential store cannot be opened: only the station file's static credentials work",
      );
    }
    rotation = new KeyRotation({
      stationKey: opts.secrets ? secrets.stationKey : stationKeyOf(config.secretsFile, secrets, logger),
      stationId: config.station.id,
      dataDir: config.dataDir,
      secretsFile: config.secretsFile,
      credentialKey: secrets.credentialKey,
      hasher,
      store: health.writable ? store : undefined,
      log: logger.child({ module: "key-rotation" }),
    });
    try {
      rotation.recover();
      store.checkKeyFingerprint(credentialKeyFingerprint(secrets.credentialKey));
    } catch (err) {
      store.close();
      throw err;
    }
    store.replaceStatic(
      config.access.allowList.map((e) => ({ credential: e.credential, ...simpleEntry(e.personId, e.role) })),
    );
    opts.seedCredentials?.(store, hasher);
  }
  let hardware: Hardware;
  let sim: SimulatedStation | undefined;
  const built = await buildReaders(config, {
    clock,
    hasher,
    logger,
    ...(opts.pcscStack === undefined ? {} : { pcscStack: opts.pcscStack }),
  });
  if (config.hardware.mode === "simulated") {
    sim = createSimulatedStation(config, {
      clock,
      hasher,
      logger,
      readers: built.slots,
      ...(opts.swingShutMs === undefined ? {} : { swingShutMs: opts.swingShutMs }),
    });
    hardware = opts.lockRelay
      ? { ...sim.hardware, lockRelay: followedBy(sim.hardware.lockRelay, opts.lockRelay) }
      : sim.hardware;
  } else {
    hardware = createRealHardware(config, clock, built.readers, opts.lockRelay);
  }
  // Outlets, cabinet, smoke: each Modbus bus real or simulated on its own.
  const powerBuilt = buildPowerHardware(config, clock, {
    ...(opts.powerTimeScale === undefined ? {} : { timeScale: opts.powerTimeScale }),
  });
  const powerSim = powerBuilt.sim;
  if (powerBuilt.power) hardware = { ...hardware, power: powerBuilt.power };
  // A process that ends by an exception (or any exit) leaves no outlet or charger powered and
  // unwatched: the writes are synchronous, so they happen in the 'exit' handler itself.
  const power = powerBuilt.power;
  const powerOff = () => {
    for (const r of [
      ...(power?.outletRelays.values() ?? []),
      ...(power?.cabinetPowerRelay ? [power.cabinetPowerRelay] : []),
    ]) {
      try {
        r.write(false);
      } catch {
        // the next one still goes off
      }
    }
  };
  if (power) process.on("exit", powerOff);

  // Occupancy devices are chosen one by one (a USB radar on a laptop with simulated GPIO).
  // Loaded only when configured: a station without occupancy never loads its drivers or peers.
  const occupancy: BuiltOccupancy | undefined = config.occupancy
    ? await (await import("./occupancy-hardware.ts")).buildOccupancy(config, { clock, logger })
    : undefined;
  if (occupancy) hardware = { ...hardware, occupancy: occupancy.hardware };
  // A smoke detector on the I/O board is read through the board the occupancy hardware owns.
  if (hardware.power)
    hardware = {
      ...hardware,
      power: withBoardSmoke(config, hardware.power, occupancy?.hardware.board, {
        clock,
        sim: powerSim,
        peer: occupancy?.sim?.board,
      }),
    };

  const credentials: CredentialStore = opts.credentialStore ?? (store as SqliteCredentialStore);
  const extensions = [...(opts.consoleExtensions ?? [])];
  // Before the station simulator's routes: those answer every other /api/sim/ path.
  if (occupancy?.consoleExtension) extensions.push(occupancy.consoleExtension);
  if (sim) {
    const cards = opts.demoCards ?? [];
    // the simulator's controls act on the simulated world: reachable without a console login
    extensions.push({
      route: simControlRoutes(sim.control, cards),
      panel: simConsolePanel(cards, config.face !== undefined),
      open: true,
    });
  }
  if (hardware.power) {
    extensions.push(powerConsoleExtension());
    if (powerSim)
      extensions.push({ route: simPowerRoutes(powerSim), panel: simPowerPanel(powerSim), open: true });
  }
  const readerIds = config.hardware.readers.map((r) => r.id);
  const editor = opts.configFile ? configEditor(opts.configFile) : undefined;
  const station: Station = new Station({
    config,
    hardware,
    credentials,
    logger,
    version: packageVersion(),
    mqttCredentials: secrets.mqtt,
    consoleExtensions: extensions,
    // A simulated door: its console (with the simulator's controls) runs before anyone is provisioned.
    consoleWithoutUsers: config.hardware.mode === "simulated",
    ...(editor ? { configEditor: editor } : {}),
    commands: [
      ...(sim
        ? simCommandSpecs(sim.control, () => station.bus, readerIds, opts.tapAnswerMs, {
            ...(powerSim ? powerSimCommands(powerSim.control) : {}),
            ...(occupancy?.sim ? occupancySimCommands(occupancy.sim) : {}),
          })
        : []),
      ...(editor ? [configSaveCommand(editor)] : []),
      ...(rotation?.commands(
        () => clock.now(),
        () => station.bus,
      ) ?? []),
    ],
    ...(opts.subsystems ? { subsystems: opts.subsystems } : {}),
    ...(opts.logTail ? { logTail: opts.logTail } : {}),
    ...(opts.restart ? { restart: opts.restart } : {}),
    ...(opts.fileConfig ? { fileConfig: opts.fileConfig } : {}),
  });
  if (opts.processGuard) {
    opts.processGuard.addSafeAction("station", () => station.failSafe());
    if (power) opts.processGuard.addSafeAction("outlets", powerOff);
    opts.processGuard.setRecorder((fault) => station.recordFault(fault));
  }
  sim?.start();
  await powerSim?.start();
  try {
    await occupancy?.startPeers();
    await station.start();
    // A completion a stop interrupted was finished at recover(): its event, now there is a bus.
    rotation?.announceRecovered(station.bus);
  } catch (err) {
    await station.stop().catch(() => undefined);
    await powerSim?.stop();
    sim?.stop();
    await occupancy?.stop();
    store?.close();
    await built.stop();
    throw err;
  }
  return {
    station,
    credentials,
    store,
    hasher,
    sim,
    powerSim,
    readerPaths: built.paths,
    devicePaths: occupancy?.paths ?? [],
    occupancySim: occupancy?.sim,
    async stop() {
      await station.stop();
      process.off("exit", powerOff);
      await powerSim?.stop();
      sim?.stop();
      await occupancy?.stop();
      store?.close();
      await built.stop();
    },
  };
}

/** One output driving two lines: the simulated relay (the door model listens) and a real one. */
function followedBy(primary: GpioOutput, line: GpioOutput): GpioOutput {
  return {
    name: primary.name,
    async start() {
      await primary.start();
      await line.start();
    },
    async stop() {
      await primary.stop();
      await line.stop();
    },
    write(active) {
      primary.write(active);
      line.write(active);
    },
    read: () => primary.read(),
  };
}
