import type { Logger } from "pino";

const FORCE_EXIT_MS = 5000;

/**
 * SIGINT/SIGTERM stop the station once; the lock is put in its safe state first inside stop().
 * If the rest (network, sockets) hangs, the process exits anyway after a bound.
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
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}
