import { createRequire } from "node:module";
import { join } from "node:path";
import { StationError } from "../../config/errors.ts";
import { faceChroma } from "./colour-cue.ts";
import type { RgbImage } from "./image-decode.ts";
import { normalise } from "./matcher/vector.ts";
import { registerFileModelLoader, shippedModelDir, type TfIo } from "./model-files.ts";
import { packageDir } from "./package-dir.ts";

/** What one frame gave: the best face's scores and its embedding (which never leaves this process). */
export interface FaceAnalysis {
  readonly faces: number;
  /** detector confidence 0..1 of the face used */
  readonly score: number;
  /** anti-spoof "real" score 0..1 (a printed or displayed face scores low) */
  readonly real: number;
  /** liveness score 0..1 */
  readonly live: number;
  /** face size in pixels (the larger box side): too small a face is not judged */
  readonly size: number;
  /** mean chroma of the face 0..1 (colour-cue.ts): a grey print measures about 0 */
  readonly chroma: number;
  /** L2-normalised 1,024-d faceres embedding */
  readonly embedding: Float32Array;
  /** the face mesh's 468 landmarks [x, y, z] in pixels (z: depth, negative towards the camera) */
  readonly mesh: readonly (readonly [number, number, number])[];
}

/** What a frame of a burst gives (detect + mesh only): the face's landmarks, in pixels. */
export interface FaceLandmarks {
  readonly size: number;
  readonly mesh: readonly (readonly [number, number, number])[];
}

interface HumanFace {
  score: number;
  box: [number, number, number, number];
  embedding?: number[];
  mesh?: [number, number, number][];
  real?: number;
  live?: number;
}
interface HumanLike {
  load(): Promise<void>;
  detect(input: unknown, config?: unknown): Promise<{ face: HumanFace[] }>;
}
interface TfLike {
  io: TfIo;
  tensor4d(values: Uint8Array, shape: [number, number, number, number], dtype: "int32"): { dispose(): void };
  getBackend(): string;
  memory(): { numTensors: number };
}

const require = createRequire(import.meta.url);

/** The human configuration for the door: one face, every model we need and nothing else. */
function humanConfig(modelDir: string, wasmPath: string) {
  const every = { skipFrames: 0, skipTime: 0 };
  return {
    backend: "wasm",
    wasmPath,
    modelBasePath: `file://${modelDir}/`,
    debug: false,
    // each frame is judged on its own: no caching of results between frames
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 1, minConfidence: 0.5, ...every },
      mesh: { enabled: true },
      iris: { enabled: false },
      description: { enabled: true, ...every },
      emotion: { enabled: false },
      antispoof: { enabled: true, ...every },
      liveness: { enabled: true, ...every },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  };
}

/**
 * What each call runs. human merges a call's configuration into its own and keeps it, so every
 * call says all of it: the full analysis, or detect + mesh only for the extra frames of a burst
 * (about a third of the time: no embedding, anti-spoof or liveness).
 */
const FULL = {
  face: { description: { enabled: true }, antispoof: { enabled: true }, liveness: { enabled: true } },
};
const MESH_ONLY = {
  face: { description: { enabled: false }, antispoof: { enabled: false }, liveness: { enabled: false } },
};

/**
 * @vladmandic/human on the tfjs WASM backend. Only the face service process may construct one:
 * tfjs takes hundreds of MB and blocks its thread for 100-400 ms a frame.
 */
export class FaceEngine {
  private human: HumanLike | undefined;
  private tf: TfLike | undefined;

  constructor(private readonly modelDir: string = shippedModelDir()) {}

  async load(): Promise<{ backend: string }> {
    // The package's default entry wants tfjs-node (a native download); its exports map hides the
    // WASM build, so it is loaded by absolute path.
    const humanDir = packageDir("@vladmandic/human");
    let mod: { Human: new (config: unknown) => HumanLike };
    try {
      mod = require(join(humanDir, "dist", "human.node-wasm.js"));
      this.tf = require("@tensorflow/tfjs-core") as TfLike;
    } catch (cause) {
      throw new StationError("FACE_ENGINE", "face", "cannot load @vladmandic/human", {
        cause,
        hint: "npm ci installs @vladmandic/human and @tensorflow/tfjs-backend-wasm",
      });
    }
    registerFileModelLoader(this.tf.io);
    const wasmPath = `${join(packageDir("@tensorflow/tfjs-backend-wasm"), "dist")}/`;
    const human = new mod.Human(humanConfig(this.modelDir, wasmPath));
    try {
      await human.load();
    } catch (cause) {
      throw new StationError(
        "FACE_MODELS_MISSING",
        "face",
        `cannot load the face models from ${this.modelDir}`,
        {
          cause,
        },
      );
    }
    this.human = human;
    return { backend: this.tf.getBackend() };
  }

  /** Detect, embed, anti-spoof and liveness on one frame; undefined when no face is found. */
  async analyse(img: RgbImage): Promise<FaceAnalysis | undefined> {
    const result = await this.detect(img, FULL);
    const face = result.face[0];
    if (!face?.embedding || face.embedding.length === 0) return undefined;
    return {
      faces: result.face.length,
      score: face.score,
      real: face.real ?? 0,
      live: face.live ?? 0,
      size: Math.max(face.box[2], face.box[3]),
      chroma: faceChroma(img, face.box),
      embedding: normalise(face.embedding),
      mesh: face.mesh ?? [],
    };
  }

  /** Detect + mesh only (a burst's extra frames); undefined when no face or no mesh is found. */
  async landmarks(img: RgbImage): Promise<FaceLandmarks | undefined> {
    const face = (await this.detect(img, MESH_ONLY)).face[0];
    if (!face?.mesh || face.mesh.length === 0) return undefined;
    return { size: Math.max(face.box[2], face.box[3]), mesh: face.mesh };
  }

  private async detect(img: RgbImage, config: unknown): Promise<{ face: HumanFace[] }> {
    const human = this.human;
    const tf = this.tf;
    if (!human || !tf) throw new StationError("FACE_ENGINE", "face", "the face engine is not loaded");
    const tensor = tf.tensor4d(img.rgb, [1, img.height, img.width, 3], "int32");
    try {
      return await human.detect(tensor, config);
    } finally {
      tensor.dispose();
    }
  }

  tensors(): number {
    return this.tf?.memory().numTensors ?? 0;
  }
}
