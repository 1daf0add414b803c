import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { StationError } from "../../config/errors.ts";
import { packageDir } from "./package-dir.ts";

/** The models @vladmandic/human ships in its npm package (blazeface, facemesh, faceres, antispoof, liveness). */
export function shippedModelDir(): string {
  return join(packageDir("@vladmandic/human"), "models");
}

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
  userDefinedMetadata?: unknown;
  modelInitializer?: unknown;
  weightsManifest: { paths: string[]; weights: unknown[] }[];
}

/** The bits of tfjs-core's io registry we use. */
export interface TfIo {
  registerLoadRouter(router: (url: string | string[]) => { load(): Promise<unknown> } | null): void;
}

/**
 * tfjs fetches models over HTTP; only tfjs-node registers a file:// loader, and it needs a native
 * download. This answers file:// model URLs from disk, so the models load with no network at all.
 */
export function registerFileModelLoader(io: TfIo): void {
  io.registerLoadRouter((url) => {
    const u = Array.isArray(url) ? url[0] : url;
    if (typeof u !== "string" || !u.startsWith("file://")) return null;
    const file = decodeURIComponent(u.slice("file://".length));
    return { load: async () => loadModelFromDisk(file) };
  });
}

export function loadModelFromDisk(file: string): unknown {
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as ModelJson;
  } catch (cause) {
    throw new StationError("FACE_MODELS_MISSING", "face", `cannot read the face model ${file}`, {
      cause,
      hint: "the models ship in the @vladmandic/human package: npm ci",
    });
  }
  const weightSpecs: unknown[] = [];
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) parts.push(readFileSync(join(dirname(file), p)));
  }
  const all = Buffer.concat(parts);
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    // faceres names its outputs through the signature: without it the embedding comes back empty
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    modelInitializer: json.modelInitializer,
    weightSpecs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}
