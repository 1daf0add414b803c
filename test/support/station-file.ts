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
    /** more keys of the `mqtt` section, as YAML lines */
    mqtt?: string[];
    /** a card UID (hex) allowed in, as person p1 */
    allowUid?: string;
    /** the `hardware:` section's YAML (default: simulated, the three door lines, one reader) */
    hardware?: string;
    /** the `door:` section's YAML (default: `{ lockMode: fail-secure }`) */
    door?: string;
    extra?: string;
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
${
  opts.hardware ??
  `hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
  readers: [{ id: entry, kind: simulated }]`
}
door: ${opts.door ?? "{ lockMode: fail-secure }"}
mqtt:
  url: "${opts.brokerUrl}"
  reconnect: { baseMs: 50, capMs: 400 }
  connectTimeoutMs: 2000
${(opts.mqtt ?? []).map((l) => `  ${l}\n`).join("")}console: ${opts.console ?? (opts.consolePort ? `{ port: ${opts.consolePort} }` : "{ enabled: false }")}
log: { level: info }
${allow}
${opts.extra ?? ""}`,
  );
  return file;
}
