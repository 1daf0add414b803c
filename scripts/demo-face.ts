import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Logger } from "pino";
import type { StationConfig } from "../config/schema.ts";
import { SAMPLE_FACES, sampleFaceFile } from "../simulator/face/sample-faces.ts";
import type { BootedStation } from "./boot.ts";

/** Whose face the demo enrols, and as which sample face (simulator/face/sample-faces.ts). */
export const DEMO_FACE = { personId: "demo-worker", enrol: "man.enrol", probe: "man.turning" } as const;

/**
 * The demo's face enrolment: once the face process is up the first time on a data directory with
 * no templates, the demo worker is enrolled from a sample face, with face entry, as a technician
 * would by `waystation face enrol`. A later start finds the template and enrols nothing. Returns
 * the unsubscriber; an enrolment still under way when the demo stops is abandoned (nothing on disk
 * until the face process has written the template whole).
 */
export function enrolDemoFace(booted: BootedStation, config: StationConfig, logger: Logger): () => void {
  if (!config.face) return () => {};
  const dir = resolve(config.dataDir, config.face.templatesDir);
  if (existsSync(dir) && readdirSync(dir).length > 0) return () => {};
  let done = false;
  const off = booted.station.bus.subscribe((e) => {
    if (e.type !== "face.service-up" || done) return;
    done = true;
    off();
    const image = Buffer.from(sampleFaceFile(SAMPLE_FACES[DEMO_FACE.enrol])).toString("base64");
    void booted.station.router
      .runLocal(
        "face-enrol",
        { personId: DEMO_FACE.personId, consent: "demo: a sample face", images: [image] },
        "cli",
      )
      .then((r) => logger.info({ status: r.status, code: r.code }, "demo face enrolled"))
      .catch((err: unknown) => logger.warn({ err: String(err) }, "demo face not enrolled"));
  });
  return off;
}
