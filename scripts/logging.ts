import type { Logger } from "pino";
import type { LogTail } from "../controller/log-tail.ts";
import { createRootLogger, type LogLevel } from "../controller/logger.ts";

/**
 * JSON lines for machines (journald, tests); a readable one-liner when a person watches a
 * terminal. pino-pretty is loaded only then, so a station service does not carry it.
 */
export async function cliLogger(
  level: LogLevel,
  opts: { pretty?: boolean; tail?: LogTail } = {},
): Promise<Logger> {
  const human = opts.pretty ?? (process.stdout.isTTY === true && process.env.WAYSTATION_LOG_JSON !== "1");
  if (!human) return createRootLogger(level, undefined, opts.tail);
  const { default: pretty } = await import("pino-pretty");
  return createRootLogger(
    level,
    pretty({ colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname,bootId", sync: true }),
    opts.tail,
  );
}
