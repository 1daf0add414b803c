import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../../config/load.ts";
import { bootStation } from "../boot.ts";
import { demoBanner, startDemo } from "../demo.ts";
import { cliLogger } from "../logging.ts";
import { stopOnSignals } from "../signals.ts";
import { type Command, KEEP_RUNNING, usageError } from "./usage.ts";

/**
 * What a station process creates that the code does not give a mode itself (a library's temp
 * or lock file) is private too: the data directory is for the service user alone.
 */
function privateUmask(): void {
  if (process.platform !== "win32") process.umask(0o077);
}

export const demo: Command = async (args) => {
  privateUmask();
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
  privateUmask();
  const config = loadConfigFile(values.config);
  const logger = await cliLogger(config.log.level);
  const booted = await bootStation({ config, logger });
  stopOnSignals(() => booted.stop(), logger);
  return KEEP_RUNNING;
};
