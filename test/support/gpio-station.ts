/**
 * A station as its own process whose lock relay is the real onoff driver (run it inside a
 * GpioTree's mount namespace) and whose other lines, readers and door are simulated: plain
 * files cannot give onoff's input edges. It starts as `waystation run` does (scripts/run-station.ts:
 * instance lock and lock safe from the real-hardware file, then the station) with the same
 * process guard, so what happens when it dies is what happens to a station.
 *
 *   gpio-station.ts STATION_FILE      (the file says hardware.mode: real)
 *
 * SIGUSR2 injects a fault: an uncaught exception, or with WS_FAULT=reject an unhandled rejection.
 */
import { loadConfigFile } from "../../config/load.ts";
import { createRootLogger } from "../../controller/logger.ts";
import { ProcessGuard } from "../../scripts/process-guard.ts";
import { prepareStation, runStation } from "../../scripts/run-station.ts";
import { stopOnSignals } from "../../scripts/signals.ts";

const [file] = process.argv.slice(2);
if (!file) throw new Error("usage: gpio-station.ts STATION_FILE");
const guard = new ProcessGuard();
const logger = createRootLogger("info");
guard.install(logger);
const real = loadConfigFile(file);
const prepared = await prepareStation(real, logger, guard);
const running = await runStation(
  { ...real, hardware: { ...real.hardware, mode: "simulated" } },
  logger,
  guard,
  prepared,
);
stopOnSignals(() => running.stop(), logger);
process.on("SIGUSR2", () => {
  setImmediate(() => {
    if (process.env.WS_FAULT === "reject") void Promise.reject(new Error("injected rejection"));
    else throw new Error("injected fault");
  });
});
logger.info({ consoleUrl: running.booted.station.console?.url }, "gpio station ready");
