import { loadLockSection } from "../../config/load.ts";
import type { LockSection } from "../../config/schema.ts";
import { safePowerOutputs } from "../../config/sections/power.ts";
import { createLockRelay, createSafeOutputLines } from "../../device/real-hardware.ts";
import { alreadyRunning, tryInstanceLock } from "../instance-lock.ts";
import { usageError } from "./usage.ts";

export const LOCK_USAGE = "lock safe --config FILE";

/**
 * `waystation lock safe --config FILE`: drive the lock relay, then every other output with a safe
 * level (the outlet relays off, the cabinet's chargers cut), to that level (de-energised: a
 * strike locked, a maglock released). For the service unit's ExecStopPost=, after a SIGKILL, an
 * OOM kill or a watchdog kill that ran nothing in-process.
 *
 * It reads the station file's lock section (hardware.mode, the lock relay line, dataDir) and
 * those outputs' lines, each entry on its own, and nothing else — the rest of the file may be broken: no secrets, no credential store,
 * no journal, no broker (a test checks that this module's imports reach none of them), and it
 * creates nothing in the data directory. It refuses only when a running station holds the
 * data directory: that process owns the door (a technician typing this by hand).
 */
export async function lockSafe(values: { config?: string }): Promise<number> {
  if (!values.config) throw usageError(LOCK_USAGE);
  // Only the lock's own section: a broken edit elsewhere may be why the station died.
  const config = loadLockSection(values.config);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  if (config.hardware.mode !== "real") {
    say("simulated hardware: there is no lock output to drive");
    return 0;
  }
  // Without a data directory (or SQLite) there is no instance to respect: drive it.
  const attempt = await tryInstanceLock(config.dataDir);
  if (attempt.status === "held") throw alreadyRunning(config.dataDir, attempt.holder);
  try {
    const line = createLockRelay(config.hardware.gpio);
    await line.start();
    const lockMode = config.door?.lockMode;
    say(
      `lock relay (BCM ${config.hardware.gpio.lockRelay.pin}) de-energised: ${lockMode === "fail-safe" ? "the maglock is released (fail-safe)" : lockMode === "fail-secure" ? "the strike is locked (fail-secure)" : "the lock is in its unpowered state"}`,
    );
    return await otherOutputsSafe(config, say);
  } finally {
    if (attempt.status === "acquired") attempt.lock.release();
  }
}

/** The outlet relays and the cabinet's contactor, each on its own: one that fails stops no other. */
async function otherOutputsSafe(config: LockSection, say: (s: string) => void): Promise<number> {
  const { outputs, unreadable } = safePowerOutputs(config);
  let failed = unreadable.length;
  for (const where of unreadable) say(`${where}: not readable in the station file, NOT driven`);
  if (outputs.length === 0) return failed > 0 ? 1 : 0;
  let lines: ReturnType<typeof createSafeOutputLines>;
  try {
    lines = createSafeOutputLines(config.hardware.gpio.sysfsRoot, outputs);
  } catch (err) {
    say(`outlet and cabinet relays NOT driven: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  for (const [i, line] of lines.entries()) {
    const o = outputs[i];
    if (!o) continue;
    try {
      await line.start();
      say(`${o.name} (BCM ${o.pin}) de-energised: ${o.safeMeans}`);
    } catch (err) {
      failed++;
      say(`${o.name} (BCM ${o.pin}) NOT driven: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return failed > 0 ? 1 : 0;
}
