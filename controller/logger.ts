import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type { LogTail } from "./log-tail.ts";

/**
 * Paths pino blanks out wherever they appear. Readers hash identifiers at the port, so a card
 * number should never reach a log call; this is the second line of defence.
 */
export const REDACT_PATHS = [
  "uid",
  "*.uid",
  "cardUid",
  "*.cardUid",
  "serial",
  "*.serial",
  "rawIdentifier",
  "*.rawIdentifier",
  "credentialKey",
  "*.credentialKey",
  "secrets",
  "*.secrets",
  "password",
  "*.password",
  "*.*.password",
  "embedding",
  "*.embedding",
  "template",
  "*.template",
  "face",
  "*.face",
];

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/**
 * The one root logger; made by the composition root, modules take `child({ module })`.
 * `tail` also receives every line (after redaction), for the diagnostics command.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream, tail?: LogTail): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    serializers: { err: pino.stdSerializers.err },
  };
  if (tail) {
    const main = destination ?? pino.destination(1);
    const streamLevel = level === "silent" ? "fatal" : level;
    return pino(
      options,
      pino.multistream([
        { level: streamLevel, stream: main },
        { level: streamLevel, stream: tail },
      ]),
    );
  }
  return destination ? pino(options, destination) : pino(options);
}
