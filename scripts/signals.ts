import type { Logger } from "pino";

const FORCE_EXIT_MS = 5000;

/**
 * Signals that end the station in order: the lock goes to its safe state first inside stop().
 * SIGHUP is a closed terminal or SSH session (there is nothing to reload), SIGQUIT a Ctrl-\.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
/** Signals nothing here uses, whose default action would end the process without stopping the door. */
export const IGNORED_SIGNALS: readonly NodeJS.Signals[] = ["SIGUSR2"];

/**
 * A stop signal stops the station once. If the rest (network, sockets) hangs, the process exits
 * anyway after a bound (the process guard's exit hook drives the lock safe once more then).
 * SIGKILL and SIGSTOP cannot be caught, and a native crash runs no JavaScript: for those the
 * service's ExecStopPost= runs `waystation lock safe`.
 */
export function stopOnSignals(stop: () => Promise<void>, log: Logger): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "stopping");
    setTimeout(() => {
      log.error("shutdown took too long; exiting");
      process.exit(1);
    }, FORCE_EXIT_MS).unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "error while stopping");
        process.exit(1);
      },
    );
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  for (const s of IGNORED_SIGNALS) {
    process.on(s, (signal: NodeJS.Signals) =>
      log.warn({ signal }, "signal ignored: waystation does not use it"),
    );
  }
}
