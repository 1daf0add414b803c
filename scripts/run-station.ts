import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import type { LockSection, StationConfig } from "../config/schema.ts";
import { safePowerOutputs } from "../config/sections/power.ts";
import type { OnoffOutput } from "../device/gpio/onoff-gpio.ts";
import { createLockRelay, createSafeOutputLines } from "../device/real-hardware.ts";
import { type BootedStation, type BootOptions, bootStation } from "./boot.ts";
import { alreadyRunning, type InstanceLock, tryInstanceLock } from "./instance-lock.ts";
import type { ProcessGuard } from "./process-guard.ts";

/** What `run` holds before it reads anything that can fail. */
export interface Prepared {
  readonly instance: InstanceLock | undefined;
  readonly lockRelay: OnoffOutput | undefined;
  release(): void;
}

export interface RunningStation {
  readonly booted: BootedStation;
  stop(): Promise<void>;
}

/**
 * The first two steps of `waystation run`, in the order that keeps the door safe
 * (docs/design-notes.md, "Start-up order"), from the lock section of the station file alone:
 *
 * 1. the data directory's instance lock: a second process on the same station exits here,
 *    having driven nothing (not even the lock to its safe level: the first one holds the door);
 * 2. the lock relay to its safe level (de-energised), before anything that can fail: the rest of
 *    the station file, secrets, credential store, journal, readers. A start that fails on a
 *    broken file leaves the door safe, not as the last process left it.
 */
export async function prepareStation(
  section: LockSection,
  logger: Logger,
  guard: ProcessGuard,
): Promise<Prepared> {
  const log = logger.child({ module: "run" });
  try {
    mkdirSync(section.dataDir, { recursive: true, mode: 0o700 });
  } catch {
    // the lock below says what is wrong with the directory
  }
  const attempt = await tryInstanceLock(section.dataDir);
  if (attempt.status === "held") throw alreadyRunning(section.dataDir, attempt.holder);
  if (attempt.status === "unavailable") {
    log.error(
      { dataDir: section.dataDir, detail: attempt.detail },
      "cannot take the data directory's instance lock: a second process on this station would not be stopped",
    );
  }
  const instance = attempt.status === "acquired" ? attempt.lock : undefined;
  let lockRelay: OnoffOutput | undefined;
  if (section.hardware.mode === "real") {
    try {
      const line = createLockRelay(section.hardware.gpio);
      await line.start();
      guard.addSafeAction("lockRelay", () => line.write(false));
      lockRelay = line;
    } catch (err) {
      instance?.release();
      throw err;
    }
    log.info(
      { pin: section.hardware.gpio.lockRelay.pin },
      "lock relay driven to its safe level before anything else",
    );
    await otherOutputsSafe(section, log);
  }
  return { instance, lockRelay, release: () => instance?.release() };
}

/**
 * Then the outlet relays and the cabinet's contactor, off as a killed controller may not have
 * left them (each line is let go again: the subsystems open their own). A line that cannot be
 * opened is logged; the outlets' subsystem then fails on it with its own error.
 */
async function otherOutputsSafe(section: LockSection, log: Logger): Promise<void> {
  const { outputs, unreadable } = safePowerOutputs(section);
  if (unreadable.length > 0)
    log.error({ unreadable }, "outputs not readable in the station file: not driven");
  try {
    for (const line of createSafeOutputLines(section.hardware.gpio.sysfsRoot, outputs)) {
      await line.start();
      await line.stop();
    }
    if (outputs.length > 0)
      log.info({ outputs: outputs.map((o) => o.name) }, "outlet and cabinet relays driven off");
  } catch (err) {
    log.error(
      { err: err instanceof Error ? err.message : String(err) },
      "could not drive a relay off at start",
    );
  }
}

/** The third step: the station itself, over the line `prepareStation` drove safe. */
export async function runStation(
  config: StationConfig,
  logger: Logger,
  guard: ProcessGuard,
  prepared: Prepared,
  extra: Pick<BootOptions, "fileConfig" | "logTail" | "restart" | "configFile"> = {},
): Promise<RunningStation> {
  try {
    const booted = await bootStation({
      ...extra,
      config,
      logger,
      processGuard: guard,
      ...(prepared.lockRelay ? { lockRelay: prepared.lockRelay } : {}),
    });
    return {
      booted,
      async stop() {
        await booted.stop();
        prepared.release();
      },
    };
  } catch (err) {
    prepared.release();
    throw err;
  }
}
