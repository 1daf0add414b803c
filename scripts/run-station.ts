import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import type { StationConfig } from "../config/schema.ts";
import type { OnoffOutput } from "../device/gpio/onoff-gpio.ts";
import { createLockRelay } from "../device/real-hardware.ts";
import { type BootedStation, bootStation } from "./boot.ts";
import { alreadyRunning, tryInstanceLock } from "./instance-lock.ts";
import type { ProcessGuard } from "./process-guard.ts";

export interface RunningStation {
  readonly booted: BootedStation;
  stop(): Promise<void>;
}

/**
 * `waystation run`, in the order that keeps the door safe (docs/design-notes.md, "Start-up
 * order"):
 *
 * 1. the data directory's instance lock: a second process on the same station exits here,
 *    having driven nothing (not even the lock to its safe level: the first one holds the door);
 * 2. the lock relay to its safe level (de-energised), before anything that can fail: secrets,
 *    credential store, journal, readers — a start that fails on a broken file leaves the door
 *    safe, not as the last process left it;
 * 3. the station itself.
 *
 * `lockGpio` names the lock line when the station is not on real hardware (the GPIO death tests
 * run a simulated station whose lock relay is a real line).
 */
export async function runStation(
  config: StationConfig,
  logger: Logger,
  guard: ProcessGuard,
  opts: { lockGpio?: StationConfig["hardware"]["gpio"] } = {},
): Promise<RunningStation> {
  const log = logger.child({ module: "run" });
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch {
    // the lock below says what is wrong with the directory
  }
  const attempt = await tryInstanceLock(config.dataDir);
  if (attempt.status === "held") throw alreadyRunning(config.dataDir, attempt.holder);
  if (attempt.status === "unavailable") {
    log.error(
      { dataDir: config.dataDir, detail: attempt.detail },
      "cannot take the data directory's instance lock: a second process on this station would not be stopped",
    );
  }
  const instance = attempt.status === "acquired" ? attempt.lock : undefined;
  try {
    const gpio = opts.lockGpio ?? (config.hardware.mode === "real" ? config.hardware.gpio : undefined);
    let lockRelay: OnoffOutput | undefined;
    if (gpio) {
      const line = createLockRelay(gpio);
      await line.start();
      guard.addSafeAction("lockRelay", () => line.write(false));
      lockRelay = line;
      log.info({ pin: gpio.lockRelay.pin }, "lock relay driven to its safe level before anything else");
    }
    const booted = await bootStation({
      config,
      logger,
      processGuard: guard,
      ...(lockRelay ? { lockRelay } : {}),
    });
    return {
      booted,
      async stop() {
        await booted.stop();
        instance?.release();
      },
    };
  } catch (err) {
    instance?.release();
    throw err;
  }
}
