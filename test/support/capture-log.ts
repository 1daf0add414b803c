import { Writable } from "node:stream";
import type { Logger } from "pino";
import { createRootLogger, type LogLevel } from "../../controller/logger.ts";

/** A real root logger (same redaction as production) whose output the test can read. */
export function captureLogger(level: LogLevel = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  return { logger: createRootLogger(level, sink), lines };
}
