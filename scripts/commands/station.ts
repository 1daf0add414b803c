import { resolve } from "node:path";
import { loadConfigFile, loadLockSection } from "../../config/load.ts";
import type { LockSection, StationConfig } from "../../config/schema.ts";
import { LogTail } from "../../controller/log-tail.ts";
import { effectiveConfig } from "../../controller/remote/desired-config.ts";
import { demoBanner, startDemo } from "../demo.ts";
import { cliLogger } from "../logging.ts";
import { ProcessGuard } from "../process-guard.ts";
import { prepareStation, type RunningStation, runStation } from "../run-station.ts";
import { stopOnSignals } from "../signals.ts";
import { SystemdNotifier } from "../systemd-notify.ts";
import { KEEP_RUNNING, usageError } from "./usage.ts";

/** EX_TEMPFAIL: "try again", which is what a planned restart asks of the service manager. */
export const RESTART_EXIT_CODE = 75;
/**
 * What a station process creates that the code does not give a mode itself (a library's temp
 * or lock file) is private too: the data directory is for the service user alone.
 */
function privateUmask(): void {
  if (process.platform !== "win32") process.umask(0o077);
}

export interface DemoOptions {
  broker?: string;
  brokerPort?: string;
  consolePort?: string;
  dataDir?: string;
  config?: string;
  /** commander's --no-pcscd: false when given */
  pcscd?: boolean;
}

/** A port number a user typed, or a usage error naming the option. */
function port(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw usageError(`${option} is a port, 0 to 65535: "${value}"`);
  return n;
}

export async function demo(values: DemoOptions): Promise<number> {
  privateUmask();
  const brokerPort = port(values.brokerPort, "--broker-port");
  const consolePort = port(values.consolePort, "--console-port");
  const logger = await cliLogger("info");
  const d = await startDemo({
    logger,
    ...(values.broker ? { brokerUrl: values.broker } : {}),
    ...(brokerPort !== undefined ? { brokerPort } : {}),
    ...(consolePort !== undefined ? { consolePort } : {}),
    ...(values.dataDir ? { dataDir: resolve(values.dataDir) } : {}),
    ...(values.config ? { configFile: values.config } : {}),
    ...(values.pcscd === false ? { pcscd: false } : {}),
  });
  process.stdout.write(demoBanner(d));
  stopOnSignals(() => d.stop(), logger);
  return KEEP_RUNNING;
}

export async function run(values: { config?: string }): Promise<number> {
  // Before anything else: whatever fails from here on, a fault drives the lock safe.
  const guard = new ProcessGuard();
  guard.install();
  if (!values.config) throw usageError("run needs --config FILE");
  privateUmask();
  // The lock's own section first, so a mistake anywhere else in the file cannot keep the lock
  // from going safe (scripts/run-station.ts has the order and why).
  let section: LockSection;
  try {
    section = loadLockSection(values.config);
  } catch (err) {
    // The lock's own settings are broken, so nothing can be driven: report every problem of
    // the file at once, as `config validate` does.
    loadConfigFile(values.config);
    throw err;
  }
  const logTail = new LogTail();
  const logger = await cliLogger(section.log?.level ?? "info", { tail: logTail });
  guard.install(logger);
  // A stop signal while the station is still starting exits at once: the guard's exit hook
  // drives the lock safe.
  let running: RunningStation | undefined;
  const notifier = new SystemdNotifier(logger.child({ module: "systemd" }));
  stopOnSignals(async () => {
    void notifier.stopping(); // not awaited: nothing may delay putting the lock safe
    await running?.stop();
  }, logger);
  const prepared = await prepareStation(section, logger, guard);
  let fileConfig: StationConfig;
  try {
    fileConfig = loadConfigFile(values.config);
  } catch (err) {
    prepared.release();
    throw err;
  }
  // The central server's desired config, persisted when it was accepted, over the station file.
  const { config, errors } = effectiveConfig(fileConfig);
  if (errors) {
    logger.error({ errors }, "the persisted desired config no longer validates; running the station file");
  }
  running = await runStation(config, logger, guard, prepared, {
    fileConfig,
    configFile: values.config,
    logTail,
    // The `restart` command: a clean stop (the lock to its safe state), then an exit code the
    // service manager restarts on (Restart=on-failure and Restart=always alike).
    restart: () => {
      logger.warn("restart requested by a command");
      void notifier.stopping();
      (running?.stop() ?? Promise.resolve()).finally(() => process.exit(RESTART_EXIT_CODE));
    },
  });
  // Ready only now: the door is in its configured state and the station serves.
  await notifier.ready(`door ready; station ${config.station.id}`);
  return KEEP_RUNNING;
}
