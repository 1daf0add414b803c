import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseConfigText } from "../../config/load.ts";
import { createSecretsFile } from "../../config/secrets.ts";
import type { StationEvent } from "../../controller/contract/events.ts";
import { type BootedStation, bootStation } from "../../scripts/boot.ts";
import { faceStationFile } from "../../simulator/face/face-station-file.ts";
import { SAMPLE_FACES, type SampleFaceName, sampleFaceFile } from "../../simulator/face/sample-faces.ts";
import { captureLogger } from "./capture-log.ts";
import { freePort } from "./net.ts";
import { resultOf } from "./power-station.ts";
import { waitFor } from "./wait.ts";

export const TERMINAL_SECRET = "terminal-secret-for-tests-0123456789";

export interface FaceStation {
  booted: BootedStation;
  dir: string;
  events: StationEvent[];
  logs: string[];
  command(name: string, args: unknown): Promise<{ status: string; code?: string; data?: unknown }>;
  enrol(personId: string, face: SampleFaceName, faceEntry?: boolean): Promise<void>;
  /** `who` steps up to the camera; resolves, once the frame is analysed, with the events index before it */
  show(who: string): Promise<number>;
  /** the port the face terminals' webhook listens on */
  webhookPort(): number;
}

export interface FaceStationOptions {
  stationId?: string;
  /** a real broker (else a port nothing listens on) */
  brokerUrl?: string;
  /** top-level station-file sections to add (`remote:` ...) */
  extra?: string;
  /** more of the `mqtt:` section */
  mqtt?: string;
}

/** A whole simulated station with the face module on: the real face process, real models. */
export async function faceStation(opts: FaceStationOptions = {}): Promise<FaceStation> {
  const dir = mkdtempSync(join(tmpdir(), "ws-face-"));
  const secretsFile = join(dir, "secrets.yaml");
  const secrets = { ...createSecretsFile(secretsFile), faceTerminalSecret: TERMINAL_SECRET };
  writeFileSync(secretsFile, stringify(secrets), { mode: 0o600 });
  const r = parseConfigText(
    faceStationFile({
      stationId: opts.stationId ?? "face-test",
      dataDir: join(dir, "data"),
      secretsFile,
      brokerUrl: opts.brokerUrl ?? `mqtt://127.0.0.1:${await freePort()}`,
      rereadSuppressMs: 100,
      faceLines: [
        "  service: { restartInitialMs: 100, healthIntervalMs: 300, frameTimeoutMs: 30000 }",
        "  webhook: { enabled: true, port: 0 }",
      ],
      ...(opts.extra ? { extra: opts.extra } : {}),
      ...(opts.mqtt ? { mqtt: opts.mqtt } : {}),
    }),
  );
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
    show: async (who) => {
      const from = events.length;
      const analysed = booted.station.state().face?.frames.analysed ?? 0;
      booted.sim?.control.presentFace(who);
      await waitFor(
        () => (booted.station.state().face?.frames.analysed ?? 0) > analysed,
        `${who} analysed`,
        120_000,
        20,
      );
      return from;
    },
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
