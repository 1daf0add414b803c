import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigText } from "../../config/load.ts";
import type { StationConfig } from "../../config/schema.ts";
import { freePort } from "./net.ts";

/**
 * A simulated station with one Wiegand reader "gate" (26-bit cards and an 8-bit keypad), no
 * broker and no console. `access` lines go inside the `access:` block, indented by two.
 */
export async function wiegandStationConfig(id: string, access: readonly string[]): Promise<StationConfig> {
  const r = parseConfigText(`station: { id: ${id} }
dataDir: ${mkdtempSync(join(tmpdir(), `ws-${id}-`))}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
  readers: [{ id: gate, kind: wiegand, d0: 5, d1: 6, formats: [wiegand-26, keypad-8] }]
door: { lockMode: fail-secure, unlockMs: 1000 }
access:
${access.map((l) => `  ${l}`).join("\n")}
mqtt: { url: "mqtt://127.0.0.1:${await freePort()}" }
console: { enabled: false }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}
