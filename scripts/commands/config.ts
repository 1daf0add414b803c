import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { StationError } from "../../config/errors.ts";
import { stationJsonSchema } from "../../config/json-schema.ts";
import { formatIssues, loadConfigFile, parseConfigText } from "../../config/load.ts";
import { createSecretsFile } from "../../config/secrets.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { type Command, usageError } from "./usage.ts";

export const config: Command = async (args) => {
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

export const secrets: Command = async (args) => {
  const [sub, file] = args;
  if (sub !== "init" || !file) throw usageError("secrets init FILE");
  try {
    createSecretsFile(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "EEXIST") throw cause;
    // never overwrite a key: every card enrolled under it would stop matching
    throw new StationError("SECRETS_EXISTS", "secrets", `${file} already exists; it was left as it is`, {
      cause,
      hint: "a station keeps its secrets file; to start over, move the old one away first (its key is what enrolled cards hash with)",
    });
  }
  process.stdout.write(`created ${file} (mode 0600) with a fresh credential key\n`);
  return 0;
};
