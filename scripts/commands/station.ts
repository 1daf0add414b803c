import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../../config/load.ts";
import { LogTail } from "../../controller/log-tail.ts";
import { effectiveConfig } from "../../controller/remote/desired-config.ts";
import { bootStation } from "../boot.ts";
import { demoBanner, startDemo } from "../demo.ts";
import { cliLogger } from "../logging.ts";
import { stopOnSignals } from "../signals.ts";
import { type Command, KEEP_RUNNING, usageError } from "./usage.ts";

/** EX_TEMPFAIL: "try again", which is what a planned restart asks of the service manager. */
export const RESTART_EXIT_CODE = 75;

export const demo: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      broker: { type: "string" },
      "broker-port": { type: "string" },
      "console-port": { type: "string" },
      "data-dir": { type: "string" },
      config: { type: "string" },
      "no-pcscd": { type: "boolean", default: false },
    },
  });
  const logger = await cliLogger("info");
  const d = await startDemo({
    logger,
    ...(values.broker ? { brokerUrl: values.broker } : {}),
    ...(values["broker-port"] ? { brokerPort: Number(values["broker-port"]) } : {}),
    ...(values["console-port"] ? { consolePort: Number(values["console-port"]) } : {}),
    ...(values["data-dir"] ? { dataDir: resolve(values["data-dir"]) } : {}),
    ...(values.config ? { configFile: values.config } : {}),
    ...(values["no-pcscd"] ? { pcscd: false } : {}),
  });
  process.stdout.write(demoBanner(d));
  stopOnSignals(() => d.stop(), logger);
  return KEEP_RUNNING;
};

export const run: Command = async (args) => {
  const { values } = parseArgs({ args, options: { config: { type: "string" } } });
  if (!values.config) throw usageError("run needs --config FILE");
  const fileConfig = loadConfigFile(values.config);
  // The central server's desired config, persisted when it was accepted, over the station file.
  const { config, errors } = effectiveConfig(fileConfig);
  const logTail = new LogTail();
  const logger = await cliLogger(config.log.level, { tail: logTail });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= booted.stop();
    return stopping;
  };
  if (errors)
    logger.error({ errors }, "the persisted desired config no longer validates; running the station file");
  const booted = await bootStation({
    config,
    fileConfig,
    logger,
    logTail,
    // The `restart` command: a clean stop (the lock to its safe state), then an exit code the
    // service manager restarts on (Restart=on-failure and Restart=always alike).
    restart: () => {
      logger.warn("restart requested by a command");
      stop().finally(() => process.exit(RESTART_EXIT_CODE));
    },
  });
  stopOnSignals(stop, logger);
  return KEEP_RUNNING;
};
