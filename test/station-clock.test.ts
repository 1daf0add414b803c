import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfigText } from "../config/load.ts";
import type { StationConfig } from "../config/schema.ts";
import { ManualClock } from "../device/clock/manual-clock.ts";
import { createIdentifierHasher, parseHexIdentifier } from "../device/identity/hasher.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { freePort } from "./support/net.ts";

/**
 * The whole controller over simulated hardware with a clock the test moves: grant windows,
 * the open-door bound and the relock on close, without waiting in real time.
 */
const KEY = "ab".repeat(32);
const hasher = createIdentifierHasher(KEY);
const known = hasher("card-uid", parseHexIdentifier("04A1B2C3") ?? new Uint8Array());

async function boot(extra = ""): Promise<{ booted: BootedStation; clock: ManualClock; events: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "ws-clock-"));
  const r = parseConfigText(
    `station: { id: clock-test }
dataDir: ${dir}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
door: { lockMode: fail-secure, unlockMs: 5000, maxOpenMs: 30000${extra} }
access: { allowList: [{ personId: p1, credential: ${known} }] }
mqtt: { url: "mqtt://127.0.0.1:${await freePort()}" }
console: { enabled: false }
`,
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const config: StationConfig = r.config;
  const clock = new ManualClock();
  const booted = await bootStation({
    config,
    logger: pino({ level: "silent" }),
    secrets: { credentialKey: KEY },
    clock,
    swingShutMs: 3000,
  });
  const events: string[] = [];
  booted.station.bus.subscribe((e) =>
    events.push(e.type === "door.locked" ? `${e.type}:${e.reason}` : e.type),
  );
  return { booted, clock, events };
}

describe("station with a controlled clock", () => {
  let booted: BootedStation | undefined;
  afterEach(async () => {
    await booted?.stop();
    booted = undefined;
  });

  it("a grant nobody uses relocks after unlockMs", async () => {
    const s = await boot();
    booted = s.booted;
    s.booted.sim?.control.tap("04A1B2C3");
    expect(s.booted.station.entrance.door.snapshot().lock).toBe("unlocked");
    s.clock.advance(4999);
    expect(s.booted.station.entrance.door.snapshot().lock).toBe("unlocked");
    s.clock.advance(1);
    expect(s.booted.station.entrance.door.snapshot().lock).toBe("locked");
    expect(s.events).toEqual(["access.granted", "door.unlocked", "door.locked:timeout"]);
  });

  it("a door pushed open relocks when the closer shuts it", async () => {
    const s = await boot();
    booted = s.booted;
    s.booted.sim?.control.tap("04A1B2C3");
    expect(s.booted.sim?.control.pushDoor()).toBe(true);
    s.clock.advance(3000);
    expect(s.events).toEqual([
      "access.granted",
      "door.unlocked",
      "door.opened",
      "door.closed",
      "door.locked:closed",
    ]);
    expect(s.booted.sim?.door.physics().lockEngaged).toBe(true);
    expect(s.booted.station.entrance.door.snapshot().relayCycles).toBe(2);
  });

  it("a door held open does not hold the lock released beyond maxOpenMs", async () => {
    const s = await boot();
    booted = s.booted;
    s.booted.sim?.control.tap("04A1B2C3");
    s.booted.sim?.control.holdDoor();
    s.clock.advance(30_000);
    expect(s.booted.station.entrance.door.snapshot()).toMatchObject({ lock: "locked", leaf: "open" });
    expect(s.events).toContain("door.locked:max-open");
    // heldOpenAlarmMs defaults to 30 s as well: the door left open is also an alarm.
    expect(s.events).toContain("alarm.raised");
  });

  it("with a relock delay, the lock waits after the door closes", async () => {
    const s = await boot(", relockDelayMs: 700");
    booted = s.booted;
    s.booted.sim?.control.tap("04A1B2C3");
    s.booted.sim?.control.pushDoor();
    s.clock.advance(3000);
    expect(s.booted.station.entrance.door.snapshot().lock).toBe("unlocked");
    s.clock.advance(700);
    expect(s.booted.station.entrance.door.snapshot().lock).toBe("locked");
  });

  it("an unknown card changes nothing at the door", async () => {
    const s = await boot();
    booted = s.booted;
    s.booted.sim?.control.tap("DEADBEEF");
    expect(s.booted.sim?.control.pushDoor()).toBe(false);
    expect(s.events).toEqual(["access.denied"]);
    expect(s.booted.sim?.readers[0]?.signals).toEqual(["deny"]);
  });
});
