import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseConfigText } from "../../config/load.ts";
import { createSecretsFile } from "../../config/secrets.ts";
import type { StationEvent } from "../../controller/contract/events.ts";
import { type BootedStation, bootStation } from "../../scripts/boot.ts";
import { SAMPLE_FACES, type SampleFaceName, sampleFaceFile } from "../../simulator/face/sample-faces.ts";
import { captureLogger } from "./capture-log.ts";
import { freePort } from "./net.ts";
import { resultOf } from "./power-station.ts";

export const TERMINAL_SECRET = "terminal-secret-for-tests-0123456789";

export interface FaceStation {
  booted: BootedStation;
  dir: string;
  events: StationEvent[];
  logs: string[];
  command(name: string, args: unknown): Promise<{ status: string; code?: string; data?: unknown }>;
  enrol(personId: string, face: SampleFaceName, faceEntry?: boolean): Promise<void>;
  /** the port the face terminals' webhook listens on */
  webhookPort(): number;
}

/** A whole simulated station with the face module on: the real face process, real models. */
export async function faceStation(faceYaml = ""): Promise<FaceStation> {
  const dir = mkdtempSync(join(tmpdir(), "ws-face-"));
  const secretsFile = join(dir, "secrets.yaml");
  const secrets = { ...createSecretsFile(secretsFile), faceTerminalSecret: TERMINAL_SECRET };
  writeFileSync(secretsFile, stringify(secrets), { mode: 0o600 });
  const r = parseConfigText(`station: { id: face-test }
dataDir: ${join(dir, "data")}
secretsFile: ${secretsFile}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27, debounceMs: 0 }, exitButton: { pin: 22, debounceMs: 0 } }
  readers: [{ id: entry, kind: simulated }]
door: { lockMode: fail-secure }
mqtt: { url: "mqtt://127.0.0.1:${await freePort()}" }
console: { enabled: false }
access: { rereadSuppressMs: 100 }
face:
  service: { restartInitialMs: 100, healthIntervalMs: 300, frameTimeoutMs: 30000 }
  webhook: { enabled: true, port: 0 }
${faceYaml}
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const { logger, lines } = captureLogger();
  const booted = await bootStation({ config: r.config, logger, secrets, swingShutMs: 50 });
  const events: StationEvent[] = [];
  booted.station.bus.subscribe((e) => events.push(e));
  const command = async (name: string, args: unknown) => {
    return resultOf(await booted.station.router.runLocal(name, args, "cli"));
  };
  return {
    booted,
    dir,
    webhookPort: () => {
      const face = booted.station.subsystems.find((x) => x.name === "face") as
        | { webhookPort?: number }
        | undefined;
      if (!face?.webhookPort) throw new Error("no webhook");
      return face.webhookPort;
    },
    events,
    logs: lines,
    command,
    enrol: async (personId, face, faceEntry = true) => {
      const image = Buffer.from(sampleFaceFile(SAMPLE_FACES[face])).toString("base64");
      const res = await command("face-enrol", {
        personId,
        consent: "test-consent-1",
        images: [image],
        faceEntry,
      });
      if (res.status !== "ok") throw new Error(`enrol ${personId}: ${JSON.stringify(res)}`);
    },
  };
}
