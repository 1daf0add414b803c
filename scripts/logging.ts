import type { Logger } from "pino";
import pretty from "pino-pretty";
import { createRootLogger, type LogLevel } from "../controller/logger.ts";

/** JSON lines for machines (journald, tests); a readable one-liner when a person watches a terminal. */
export function cliLogger(level: LogLevel, opts: { pretty?: boolean } = {}): Logger {
  const human = opts.pretty ?? (process.stdout.isTTY === true && process.env.WAYSTATION_LOG_JSON !== "1");
  if (!human) return createRootLogger(level);
  return createRootLogger(
    level,
    pretty({ colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,bootId", sync: true }),
  );
}
