import { join } from "node:path";
import type { Logger } from "pino";
import { checkDataDir } from "../config/private-files.ts";
import type { StationConfig } from "../config/schema.ts";
import { loadSecretsFile, type Secrets } from "../config/secrets.ts";
import { type CredentialStore, simpleEntry } from "../controller/access/credential-store.ts";
import { SqliteCredentialStore } from "../controller/access/sqlite-credential-store.ts";
import type { ConsoleExtension } from "../controller/console/http-route.ts";
import type { LogTail } from "../controller/log-tail.ts";
import { Station } from "../controller/station.ts";
import type { SubsystemFactory } from "../controller/subsystem.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import type { Hardware } from "../device/hardware.ts";
import {
  createIdentifierHasher,
  credentialKeyFingerprint,
  type IdentifierHasher,
} from "../device/identity/hasher.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { GpioOutput } from "../device/ports/gpio.ts";
import { createRealHardware } from "../device/real-hardware.ts";
import { simConsolePanel } from "../simulator/console-panel.ts";
import { type DemoCard, simControlRoutes } from "../simulator/control-http.ts";
import { OffsetClock } from "../simulator/offset-clock.ts";
import { createSimulatedStation, type SimulatedStation } from "../simulator/station.ts";
import { packageVersion } from "./paths.ts";
import type { ProcessGuard } from "./process-guard.ts";
import { buildReaders, type PcscStackChoice } from "./readers.ts";

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
  consoleExtensions?: readonly ConsoleExtension[];
  /** simulated PC/SC readers: which pcscd plays the cards (default "auto", see scripts/readers.ts) */
  pcscStack?: PcscStackChoice;
  /** the station's capabilities (default: controller/subsystems.ts) */
  subsystems?: readonly SubsystemFactory[];
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
  /** each reader and how it is driven (real driver, vpcd, in-process simulation) */
  readerPaths: readonly { id: string; how: string }[];
  stop(): Promise<void>;
}

/**
 * The composition root: the one place that chooses real or simulated hardware, builds the
 * controller over it, and starts it. Signal handling stays with the caller.
 */
export async function bootStation(opts: BootOptions): Promise<BootedStation> {
  const { config, logger } = opts;
  // Like the secrets file: a data directory other users can read is refused before anything opens.
  checkDataDir(config.dataDir);
  const secrets = opts.secrets ?? loadSecretsFile(config.secretsFile);
  const hasher = createIdentifierHasher(secrets.credentialKey);
  // A simulated station gets a wall clock scenarios can step; a real one has the system's.
  const clock =
    opts.clock ??
    (config.hardware.mode === "simulated" ? new OffsetClock(new SystemClock()) : new SystemClock());

  let store: SqliteCredentialStore | undefined;
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
    try {
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

  const credentials: CredentialStore = opts.credentialStore ?? (store as SqliteCredentialStore);
  const extensions = [...(opts.consoleExtensions ?? [])];
  if (sim) {
    const cards = opts.demoCards ?? [];
    extensions.push({ route: simControlRoutes(sim.control, cards), panel: simConsolePanel(cards) });
  }
  const station = new Station({
    config,
    hardware,
    credentials,
    logger,
    version: packageVersion(),
    mqttCredentials: secrets.mqtt,
    consoleExtensions: extensions,
    ...(opts.subsystems ? { subsystems: opts.subsystems } : {}),
    ...(opts.logTail ? { logTail: opts.logTail } : {}),
    ...(opts.restart ? { restart: opts.restart } : {}),
    ...(opts.fileConfig ? { fileConfig: opts.fileConfig } : {}),
  });
  if (opts.processGuard) {
    opts.processGuard.addSafeAction("station", () => station.failSafe());
    opts.processGuard.setRecorder((fault) => station.recordFault(fault));
  }
  sim?.start();
  try {
    await station.start();
  } catch (err) {
    await station.stop().catch(() => undefined);
    sim?.stop();
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
    readerPaths: built.paths,
    async stop() {
      await station.stop();
      sim?.stop();
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
