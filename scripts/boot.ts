import type { Logger } from "pino";
import type { StationConfig } from "../config/schema.ts";
import { loadSecretsFile, type Secrets } from "../config/secrets.ts";
import { MemoryCredentialStore } from "../controller/access/credential-store.ts";
import type { ConsoleExtension } from "../controller/console/http-route.ts";
import { Station } from "../controller/station.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import type { Hardware } from "../device/hardware.ts";
import { createIdentifierHasher, type IdentifierHasher } from "../device/identity/hasher.ts";
import type { Clock } from "../device/ports/clock.ts";
import { createRealHardware } from "../device/real-hardware.ts";
import { simConsolePanel } from "../simulator/console-panel.ts";
import { type DemoCard, simControlRoutes } from "../simulator/control-http.ts";
import { createSimulatedStation, type SimulatedStation } from "../simulator/station.ts";
import { packageVersion } from "./paths.ts";
import { buildReaders, type PcscStackChoice } from "./readers.ts";

export interface BootOptions {
  config: StationConfig;
  logger: Logger;
  secrets?: Secrets;
  clock?: Clock;
  /** cards the console offers as buttons when the station is simulated */
  demoCards?: readonly DemoCard[];
  /** how long the simulated door closer takes (tests shorten it) */
  swingShutMs?: number;
  consoleExtensions?: readonly ConsoleExtension[];
  /** simulated PC/SC readers: which pcscd plays the cards (default "auto", see scripts/readers.ts) */
  pcscStack?: PcscStackChoice;
}

export interface BootedStation {
  station: Station;
  credentials: MemoryCredentialStore;
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
  const secrets = opts.secrets ?? loadSecretsFile(config.secretsFile);
  const hasher = createIdentifierHasher(secrets.credentialKey);
  const clock = opts.clock ?? new SystemClock();

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
    hardware = sim.hardware;
  } else {
    hardware = createRealHardware(config, clock, built.readers);
  }

  const credentials = new MemoryCredentialStore(config.access.allowList);
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
  });
  sim?.start();
  try {
    await station.start();
  } catch (err) {
    await station.stop().catch(() => undefined);
    sim?.stop();
    await built.stop();
    throw err;
  }
  return {
    station,
    credentials,
    hasher,
    sim,
    readerPaths: built.paths,
    async stop() {
      await station.stop();
      sim?.stop();
      await built.stop();
    },
  };
}
