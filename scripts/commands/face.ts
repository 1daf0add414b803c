import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { StationError } from "../../config/errors.ts";
import { loadConfigFile } from "../../config/load.ts";
import { SqliteCredentialStore } from "../../controller/access/sqlite-credential-store.ts";
import { addFaceCredential } from "../../controller/face/face-commands.ts";
import { faceKeys } from "../../controller/face/face-keys.ts";
import { FaceProcess } from "../../device/face/face-process.ts";
import { usageError } from "./usage.ts";

export const FACE_USAGE = `face enrol PERSON IMAGE... --config FILE --consent REF [--card-plus-face] [--role worker|technician|admin]
                  the images (JPEG/PNG) are read, embedded on this station and not kept
  face forget PERSON --config FILE     erase the person's face templates and every credential`;

/**
 * Enrolment and erasure on the station itself. The models run in a face process started for the
 * command (this process never loads them); the templates go to the same encrypted directory the
 * running station reads, which notices the change at its next frame.
 */
export interface FaceOptions {
  config?: string;
  consent?: string;
  cardPlusFace?: boolean;
  role?: string;
}

export async function faceEnrol(
  person: string,
  images: readonly string[],
  values: FaceOptions,
): Promise<number> {
  return face("enrol", person, images, values);
}

export async function faceForget(person: string, values: FaceOptions): Promise<number> {
  return face("forget", person, [], values);
}

async function face(
  sub: "enrol" | "forget",
  person: string,
  images: readonly string[],
  values: FaceOptions,
): Promise<number> {
  if (!values.config) throw usageError(FACE_USAGE);
  const config = loadConfigFile(values.config);
  if (!config.face) {
    throw new StationError("CONFIG_INVALID", "config", "this station file has no face section", {
      hint: "add `face: {}` to the station file",
    });
  }
  const keys = faceKeys(config.secretsFile, config.station.id);
  const store = new SqliteCredentialStore(join(config.dataDir, "credentials.db"));
  const proc = new FaceProcess();
  try {
    await proc.spawn(config.face.service.loadTimeoutMs);
    await proc.init(keys.templateKey, resolve(config.dataDir, config.face.templatesDir), 30_000);
    if (sub === "forget") {
      const { removed } = await proc.request("forget", { personId: person }, 30_000);
      store.open();
      const n = store.removePerson(person);
      process.stdout.write(
        `${person}: templates ${removed ? "erased" : "none"}, ${n} credential(s) erased\n`,
      );
      return 0;
    }
    if (!values.consent)
      throw usageError("enrolment needs --consent REF (the consent record it was given under)");
    if (images.length === 0) throw usageError(FACE_USAGE);
    const frames = images.map((f) => new Uint8Array(readFileSync(f)));
    const r = await proc.request("enrol", { personId: person, consent: values.consent, frames }, 120_000);
    if (!values.cardPlusFace) {
      store.open();
      const role = values.role === "technician" || values.role === "admin" ? values.role : "worker";
      addFaceCredential(store, keys, person, role);
    }
    const scores = r.real
      .map((real, i) => `real ${real.toFixed(2)} live ${(r.live[i] ?? 0).toFixed(2)}`)
      .join("; ");
    process.stdout.write(
      `${person}: ${r.templates} template(s) stored (${scores}); ${values.cardPlusFace ? "card plus face" : "face entry"}\n`,
    );
    return 0;
  } finally {
    await proc.stop();
    store.close();
  }
}
