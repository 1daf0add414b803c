import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSecretsFile, loadSecretsFile } from "../../config/secrets.ts";
import { createIdentifierHasher, parseHexIdentifier } from "../../device/identity/hasher.ts";

/**
 * A station file for a simulated station whose data directory the test chooses (and may keep
 * across restarts). `extra` is appended as YAML.
 */
export function writeStationFile(
  dir: string,
  opts: {
    stationId?: string;
    brokerUrl: string;
    dataDir?: string;
    consolePort?: number;
    /** a card UID (hex) allowed in, as person p1 */
    allowUid?: string;
    extra?: string;
    /** further lines inside the `mqtt:` block, e.g. "  protocolVersion: 4" */
    mqtt?: string;
    /** the whole `console:` value (flow YAML), instead of consolePort */
    console?: string;
  },
): string {
  mkdirSync(dir, { recursive: true });
  const secretsFile = join(dir, "secrets.yaml");
  try {
    createSecretsFile(secretsFile);
  } catch {
    // kept from an earlier start
  }
  const key = loadSecretsFile(secretsFile).credentialKey;
  const allow = opts.allowUid
    ? `access: { allowList: [{ personId: p1, credential: ${createIdentifierHasher(key)("card-uid", parseHexIdentifier(opts.allowUid) ?? new Uint8Array())} }] }`
    : "";
  const file = join(dir, "station.yaml");
  writeFileSync(
    file,
    `station: { id: ${opts.stationId ?? "test-station"} }
dataDir: ${opts.dataDir ?? join(dir, "data")}
secretsFile: ${secretsFile}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
  readers: [{ id: entry, kind: simulated }]
door: { lockMode: fail-secure }
mqtt:
  url: "${opts.brokerUrl}"
  reconnect: { baseMs: 50, capMs: 400 }
  connectTimeoutMs: 2000
${opts.mqtt ?? ""}
console: ${opts.console ?? (opts.consolePort ? `{ port: ${opts.consolePort} }` : "{ enabled: false }")}
log: { level: info }
${allow}
${opts.extra ?? ""}`,
  );
  return file;
}
