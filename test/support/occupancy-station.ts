import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { parseConfigText } from "../../config/load.ts";
import { createIdentifierHasher, parseHexIdentifier } from "../../device/identity/hasher.ts";
import { type BootedStation, bootStation } from "../../scripts/boot.ts";
import { freePort } from "./net.ts";
import { waitFor } from "./wait.ts";

const KEY = "ab".repeat(32);
export const OCC_CARD_A = "04a1b2c3";
export const OCC_CARD_B = "04d4e5f6";
const hash = (uid: string) =>
  createIdentifierHasher(KEY)("card-uid", parseHexIdentifier(uid) ?? new Uint8Array());

/**
 * A whole simulated station with an `occupancy` section (its YAML body, indented two spaces),
 * two cards allowed and capacity 2. Serial devices named `simulated` run their peers over real
 * ptys where socat exists. `mqtt` replaces the default (an unreachable broker).
 */
export async function bootOccupancyStation(
  occupancyYaml: string,
  opts: { readers?: string; mqtt?: string } = {},
): Promise<BootedStation> {
  const dir = mkdtempSync(join(tmpdir(), "ws-occ-"));
  const r = parseConfigText(`station: { id: occ-test }
dataDir: ${dir}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
  readers: ${opts.readers ?? "[{ id: entry, kind: simulated }]"}
door: { lockMode: fail-secure }
access:
  capacity: 2
  rereadSuppressMs: 0
  allowList:
    - { personId: pa, credential: ${hash(OCC_CARD_A)} }
    - { personId: pb, credential: ${hash(OCC_CARD_B)} }
occupancy:
${occupancyYaml}
mqtt: ${opts.mqtt ?? `{ url: "mqtt://127.0.0.1:${await freePort()}", stateDebounceMs: 10 }`}
console: { enabled: false }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return bootStation({
    config: r.config,
    logger: pino({ level: "silent" }),
    secrets: { credentialKey: KEY },
    swingShutMs: 300,
    pcscStack: "off",
  });
}

/** Wait until an occupancy sensor of a booted station reads `health` in `state`. */
export function sensorHealth(
  b: BootedStation,
  sensor: "radar" | "pir" | "beam" | "board",
  health: string,
  ms: number,
): Promise<unknown> {
  return waitFor(
    () => b.station.state().occupancy?.sensors[sensor]?.health === health,
    `${sensor} ${health}`,
    ms,
  );
}
