import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isStationError, StationError } from "../config/errors.ts";
import { stationJsonSchema } from "../config/json-schema.ts";
import { formatIssues, loadConfigFile, parseConfigText } from "../config/load.ts";
import { createSecretsFile, loadSecretsFile } from "../config/secrets.ts";
import { createIdentifierHasher, parseHexIdentifier } from "../device/identity/hasher.ts";
import type { CredentialKind } from "../device/ports/card-reader.ts";
import { BUILTIN_LAYOUTS, identifierBytes } from "../device/wiegand/formats.ts";
import { sendSimCommand } from "../simulator/control-http.ts";
import { bootStation } from "./boot.ts";
import { demoBanner, startDemo } from "./demo.ts";
import { cliLogger } from "./logging.ts";
import { PACKAGE_ROOT } from "./paths.ts";
import { stopOnSignals } from "./signals.ts";

const USAGE = `waystation <command>

  demo [--broker URL] [--broker-port N] [--console-port N] [--data-dir DIR] [--no-pcscd]
                         run a whole station on simulated hardware (what npm start runs);
                         --no-pcscd: the in-process card reader even where pcscd + vpcd exist
  run --config FILE      run the station described by FILE
  config validate FILE   check a station file; every problem with its path and a hint
  config schema [--write]
                         print the JSON Schema of station files (--write: config/schema.json)
  secrets init FILE      create a secrets file with a fresh credential key (mode 0600)
  credentials hash ID --secrets FILE [--kind card-uid|resident-id|wiegand|keypad] [--format wiegand-26]
                         the keyed hash to put in access.allowList: a card UID (hex), an ID card
                         serial (16 hex), a Wiegand card (FACILITY:CARD as printed), a PIN
  sim tap CARD [--reader ID] | push-door | hold-door | release-door | force-door | exit-button | state
      [--console URL]    act as a person at a running simulated station (default http://127.0.0.1:8080)
                         CARD: a UID in hex (4, 7 or 10 bytes), a resident ID serial (8 bytes),
                         broken (PC/SC); keys:1234#, truncated:UID, noise (Wiegand)
  bench [--quick]        run the benchmarks; writes bench/results.json
`;

type Command = (args: string[]) => Promise<number>;

const demo: Command = async (args) => {
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
  const logger = cliLogger("info");
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
  return -1;
};

const run: Command = async (args) => {
  const { values } = parseArgs({ args, options: { config: { type: "string" } } });
  if (!values.config) throw usageError("run needs --config FILE");
  const config = loadConfigFile(values.config);
  const logger = cliLogger(config.log.level);
  const booted = await bootStation({ config, logger });
  stopOnSignals(() => booted.stop(), logger);
  return -1;
};

const config: Command = async (args) => {
  const [sub, ...rest] = args;
  if (sub === "validate") {
    const file = rest[0];
    if (!file) throw usageError("config validate needs a FILE");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      loadConfigFile(file); // throws the CONFIG_UNREADABLE error with its hint
      return 2;
    }
    const result = parseConfigText(text, dirname(resolve(file)));
    if (!result.ok) {
      process.stderr.write(`${formatIssues(file, result.issues)}\n`);
      return 1;
    }
    process.stdout.write(
      `${file}: valid (station ${result.config.station.id}, ${result.config.hardware.mode} hardware)\n`,
    );
    return 0;
  }
  if (sub === "schema") {
    const text = `${JSON.stringify(stationJsonSchema(), null, 2)}\n`;
    if (rest.includes("--write")) writeFileSync(join(PACKAGE_ROOT, "config", "schema.json"), text);
    else process.stdout.write(text);
    return 0;
  }
  throw usageError("config validate FILE | config schema [--write]");
};

const secrets: Command = async (args) => {
  const [sub, file] = args;
  if (sub !== "init" || !file) throw usageError("secrets init FILE");
  createSecretsFile(file);
  process.stdout.write(`created ${file} (mode 0600) with a fresh credential key\n`);
  return 0;
};

const credentials: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      secrets: { type: "string" },
      kind: { type: "string", default: "card-uid" },
      format: { type: "string", default: "wiegand-26" },
    },
  });
  const [sub, id] = positionals;
  if (sub !== "hash" || !id || !values.secrets) throw usageError("credentials hash ID --secrets FILE");
  const kind = values.kind;
  if (kind !== "card-uid" && kind !== "resident-id" && kind !== "wiegand" && kind !== "keypad") {
    throw usageError(`--kind is card-uid, resident-id, wiegand or keypad, not "${kind}"`);
  }
  const raw = rawIdentifier(kind, id, values.format ?? "wiegand-26");
  const hash = createIdentifierHasher(loadSecretsFile(values.secrets).credentialKey)(kind, raw);
  process.stdout.write(`${hash}\n`);
  return 0;
};

/** The bytes a reader driver hashes for an identifier as a technician reads it off a card. */
function rawIdentifier(kind: CredentialKind, id: string, format: string): Uint8Array {
  if (kind === "keypad") {
    if (!/^[0-9]{1,12}$/.test(id)) throw usageError("a PIN is 1-12 digits");
    return new TextEncoder().encode(id);
  }
  if (kind === "wiegand") {
    const layout = BUILTIN_LAYOUTS[format];
    if (!layout) throw usageError(`--format is one of ${Object.keys(BUILTIN_LAYOUTS).join(", ")}`);
    const m = /^(?:(\d+):)?(\d+)$/.exec(id);
    if (!m)
      throw usageError('a Wiegand card is "FACILITY:CARD" (or "CARD" for formats without a facility code)');
    const facility = m[1] === undefined ? undefined : Number(m[1]);
    const card = Number(m[2]);
    const fits = (v: number, bits: number) => Number.isSafeInteger(v) && v < 2 ** bits;
    if (
      !fits(card, layout.card.length) ||
      (facility !== undefined && !fits(facility, layout.facility?.length ?? 0))
    ) {
      throw usageError(`${id} does not fit ${layout.name}`);
    }
    return identifierBytes(layout, facility, card);
  }
  const raw = parseHexIdentifier(id);
  if (!raw) throw usageError(`"${id}" is not a hex identifier`);
  if (kind === "resident-id" && raw.length !== 8)
    throw usageError("a resident ID card serial is 8 bytes (16 hex)");
  return raw;
}

const sim: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { console: { type: "string", default: "http://127.0.0.1:8080" }, reader: { type: "string" } },
  });
  const [command, uid] = positionals;
  if (!command)
    throw usageError("sim tap UID | push-door | hold-door | release-door | force-door | exit-button | state");
  const payload = command === "tap" ? { uid, ...(values.reader ? { reader: values.reader } : {}) } : {};
  if (command === "tap" && !uid) throw usageError("sim tap needs a card UID, e.g. 04A1B2C3");
  const answer = await sendSimCommand(values.console ?? "http://127.0.0.1:8080", command, payload);
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  return 0;
};

const bench: Command = async (args) => {
  const { runBench } = await import("../bench/run.ts");
  return runBench(args);
};

function usageError(message: string): StationError {
  return new StationError("CLI_USAGE", "cli", message, { hint: "waystation --help" });
}

const commands: Record<string, Command> = { demo, run, config, secrets, credentials, sim, bench };

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (isStationError(err)) {
      process.stderr.write(`error: ${err.describe()}\n`);
      process.exitCode = err.code === "CONFIG_INVALID" || err.code === "CONFIG_UNREADABLE" ? 2 : 1;
    } else {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
