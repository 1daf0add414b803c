import { isStationError, type StationError } from "../../config/errors.ts";

/**
 * The exit codes of every `waystation` command: scripts (and the service unit) branch on these,
 * so they are a contract, listed in `--help` and in docs/cli.md.
 */
export const EXIT = {
  ok: 0,
  /** a check failed, a command was refused, or something named was not found */
  failed: 1,
  /**
   * the command line is not understood (an unknown command or option, a missing argument), or the
   * station file is not valid; a value a command understands but refuses (a UID length no reader
   * produces, a file that is not a key) is a refusal: 1
   */
  usage: 2,
  /** the running station could not be reached (its control socket) */
  unreachable: 3,
  /** not allowed: the control socket or a file needs root or the service's group */
  denied: 4,
  /** the controller died of a fault (the lock was driven safe first) */
  fault: 70,
} as const;

export const EXIT_TABLE: readonly (readonly [number, string])[] = [
  [EXIT.ok, "done; every check passed"],
  [EXIT.failed, "refused (a value the command will not take too), not found, or a check failed"],
  [
    EXIT.usage,
    "the command line is not understood (command, option, argument), or the station file is not valid",
  ],
  [EXIT.unreachable, "no running station answers on its control socket"],
  [EXIT.denied, "not allowed: run as root or as a member of the waystation group"],
  [EXIT.fault, "the controller stopped on a fault (the lock was driven safe first)"],
];

export function exitTableText(): string {
  return EXIT_TABLE.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`).join("\n");
}

const USAGE_CODES = new Set(["CONFIG_INVALID", "CONFIG_UNREADABLE"]);

export function exitCodeForStationError(err: StationError): number {
  if (USAGE_CODES.has(err.code)) return EXIT.usage;
  if (err.code === "CONTROL_UNREACHABLE") return EXIT.unreachable;
  if (err.code === "CONTROL_DENIED") return EXIT.denied;
  return EXIT.failed;
}

/**
 * What a user can cause outside our own errors: a file they named that is missing or not
 * theirs. Reported as its path and reason, never as a stack trace.
 */
export function describeSystemError(err: unknown): { message: string; code: number } | undefined {
  const e = err as NodeJS.ErrnoException;
  if (isStationError(err) || typeof e?.code !== "string" || !/^E[A-Z]+$/.test(e.code)) return undefined;
  const where = e.path ? ` ${e.path}` : "";
  if (e.code === "ENOENT") return { message: `no such file${where}`, code: EXIT.failed };
  if (e.code === "EACCES" || e.code === "EPERM")
    return { message: `not allowed to open${where} (run as root or the waystation user)`, code: EXIT.denied };
  if (e.code === "EISDIR")
    return { message: `${where.trim()} is a directory, not a file`, code: EXIT.failed };
  return { message: `${e.code}${where}: ${e.message}`, code: EXIT.failed };
}
