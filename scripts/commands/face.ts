import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { StationError } from "../../config/errors.ts";
import { loadConfigFile } from "../../config/load.ts";
import { SqliteCredentialStore } from "../../controller/access/sqlite-credential-store.ts";
import { addFaceCredential } from "../../controller/face/face-commands.ts";
import { faceKeys } from "../../controller/face/face-keys.ts";
import { FaceProcess } from "../../device/face/face-process.ts";
import { role as roleOf } from "./credentials/fields.ts";
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
  json?: boolean;
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
  // the station file named, or the installed command's ($WAYSTATION_CONFIG): never the demo's by mistake
  const file = values.config ?? process.env.WAYSTATION_CONFIG;
  if (!file) throw usageError(`face needs the station file: --config FILE\n  ${FACE_USAGE}`);
  // what the words can be refused for, refused before the models load (seconds)
  const role = sub === "enrol" ? roleOf(values.role) : "worker";
  if (sub === "enrol" && !values.consent)
    throw usageError("enrolment needs --consent REF (the consent record it was given under)");
  const frames = images.map((f) => new Uint8Array(readFileSync(f)));
  const say = (text: string, data: Record<string, unknown>) =>
    process.stdout.write(`${values.json ? JSON.stringify({ ok: true, personId: person, ...data }) : text}\n`);
  const config = loadConfigFile(file);
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
      say(`${person}: templates ${removed ? "erased" : "none"}, ${n} credential(s) erased`, {
        templatesErased: Boolean(removed),
        credentialsErased: n,
      });
      return 0;
    }
    const consent = values.consent ?? "";
    const r = await proc.request("enrol", { personId: person, consent, frames }, 120_000);
    if (!values.cardPlusFace) {
      store.open();
      addFaceCredential(store, keys, person, role);
    }
    const scores = r.real
      .map((real, i) => `real ${real.toFixed(2)} live ${(r.live[i] ?? 0).toFixed(2)}`)
      .join("; ");
    const use = values.cardPlusFace ? "card plus face" : "face entry";
    say(`${person}: ${r.templates} template(s) stored (${scores}); ${use}`, {
      templates: r.templates,
      use: values.cardPlusFace ? "card-plus-face" : "face",
      ...(values.cardPlusFace ? {} : { role }),
      real: r.real,
      live: r.live,
    });
    return 0;
  } finally {
    await proc.stop();
    store.close();
  }
}
