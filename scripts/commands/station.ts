import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../../config/load.ts";
import { bootStation } from "../boot.ts";
import { demoBanner, startDemo } from "../demo.ts";
import { cliLogger } from "../logging.ts";
import { stopOnSignals } from "../signals.ts";
import { SystemdNotifier } from "../systemd-notify.ts";
import { type Command, KEEP_RUNNING, usageError } from "./usage.ts";

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
  const config = loadConfigFile(values.config);
  const logger = await cliLogger(config.log.level);
  const booted = await bootStation({ config, logger });
  // Ready only now: the door is in its configured state and the station serves.
  const notifier = new SystemdNotifier(logger.child({ module: "systemd" }));
  await notifier.ready(`door ready; station ${config.station.id}`);
  stopOnSignals(async () => {
    void notifier.stopping(); // not awaited: nothing may delay putting the lock safe
    await booted.stop();
  }, logger);
  return KEEP_RUNNING;
};
