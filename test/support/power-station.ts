import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { parseConfigText } from "../../config/load.ts";
import type { StationEvent } from "../../controller/contract/events.ts";
import type { CommandReply } from "../../controller/remote/command-router.ts";
import { type BootedStation, bootStation } from "../../scripts/boot.ts";
import { freePort } from "./net.ts";

export const POWER_KEY = "ef".repeat(32);

/** The demo's power layout: 2 phone and 2 e-bike outlets and a 6-slot cabinet on one simulated 9600-baud bus. */
export async function powerStationYaml(dataDir: string, extra = "", consolePort?: number): Promise<string> {
  return `station: { id: power-test }
dataDir: ${dataDir}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
  readers: [{ id: entry, kind: simulated }]
door: { lockMode: fail-secure, fire: { revert: on-input-clear } }
mqtt: { url: "mqtt://127.0.0.1:${await freePort()}", stateDebounceMs: 10 }
console: ${consolePort ? `{ enabled: true, host: 127.0.0.1, port: ${consolePort} }` : "{ enabled: false }"}
modbus:
  - { id: rs485, kind: simulated, baud: 9600, timeoutMs: 60, retries: 1, offlineAfter: 2, turnaroundMs: 2 }
outlets:
  binding: occupant
  fairUse: { maxConcurrent: 2, maxDailyWh: 800 }
  list:
    - { id: phone-1, kind: phone, bus: rs485, meterAddress: 1, relay: { pin: 5 } }
    - { id: phone-2, kind: phone, bus: rs485, meterAddress: 2, relay: { pin: 6 } }
    - { id: ebike-1, kind: ebike, bus: rs485, meterAddress: 3, relay: { pin: 13 } }
    - { id: ebike-2, kind: ebike, bus: rs485, meterAddress: 4, relay: { pin: 19 } }
cabinet: { bus: rs485, address: 10, slots: 6, timeouts: { depositS: 30, takeS: 30, doorOpenS: 20 } }
safety: {}
${extra}`;
}

export async function bootPowerStation(
  dataDir = mkdtempSync(join(tmpdir(), "ws-power-")),
  extra = "",
  consolePort?: number,
  /** an edit of the station file's text (another reader, the broker's URL) */
  edit: (yaml: string) => string = (y) => y,
) {
  const r = parseConfigText(edit(await powerStationYaml(dataDir, extra, consolePort)));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const booted: BootedStation = await bootStation({
    config: r.config,
    logger: pino({ level: "silent" }),
    secrets: { credentialKey: POWER_KEY },
  });
  const events: StationEvent[] = [];
  booted.station.bus.subscribe((e) => events.push(e));
  return { booted, events, dataDir };
}

/** A worker taps the demo card at the door: the person the outlets and the cabinet bind to. */
export function letIn(b: BootedStation): string {
  const credential = b.hasher("card-uid", Uint8Array.from([4, 1, 2, 3]));
  b.store?.upsert([{ credential, personId: "p1", role: "worker", status: "active", secondFactor: false }]);
  b.sim?.control.tap("04010203");
  return credential;
}

/** Run one of the station's commands as a technician at the console. */
export async function runCommand(b: BootedStation, name: string, args: unknown) {
  const principal = { kind: "local", via: "console", user: "tech" } as const;
  return resultOf(await b.station.router.runAs(principal, name, args));
}

/** A router reply as the command returned it: without the reply's id, and without the code of a plain OK. */
export function resultOf(r: CommandReply): { status: "ok" | "error"; code?: string; data?: unknown } {
  return {
    status: r.status,
    ...(r.code === "OK" ? {} : { code: r.code }),
    ...(r.data === undefined ? {} : { data: r.data }),
  };
}
