import { readFileSync } from "node:fs";
import { StationError } from "../../config/errors.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { Frame, FrameSource } from "../../device/ports/frame-source.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import { encodeJpeg } from "./image-encode.ts";
import { SAMPLE_FACES, type SampleFaceName, sampleFaceFile } from "./sample-faces.ts";

/** What the simulated camera sees with nobody in front of it (`present(NOBODY)`). */
export const NOBODY = "nobody";

/**
 * The simulated door camera: someone steps up and it delivers frames of them, as image files.
 * `present` takes a sample face by name (simulator/face/sample-faces.ts) or a file path.
 */
export class SimFaceCamera implements FrameSource {
  readonly id = "camera";
  private readonly frames = new Listeners<Frame>();
  private readonly statuses = new Listeners<{ online: boolean; detail?: string }>();
  private readonly cache = new Map<string, Uint8Array>();
  private running = false;

  constructor(private readonly clock: Clock) {}

  async start(): Promise<void> {
    this.running = true;
    this.statuses.emit({ online: true });
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  onFrame(l: (f: Frame) => void) {
    return this.frames.add(l);
  }

  onStatus(l: (s: { online: boolean; detail?: string }) => void) {
    return this.statuses.add(l);
  }

  /** names a person (or an attack) can be shown as, and the empty approach */
  static names(): string[] {
    return [...Object.keys(SAMPLE_FACES), NOBODY];
  }

  /** A frame of the empty approach (FrameSource.requestFrame): a stopped camera sends nothing. */
  requestFrame(): void {
    if (this.running) this.present(NOBODY);
  }

  /** One frame of `who` in front of the camera. */
  present(who: string): void {
    if (!this.running) throw new StationError("SIM_BAD_COMMAND", "sim", "the camera is not running");
    this.frames.emit({ sourceId: this.id, bytes: this.image(who), atMs: this.clock.monotonic() });
  }

  image(who: string): Uint8Array {
    const cached = this.cache.get(who);
    if (cached) return cached;
    let bytes: Uint8Array;
    if (who === NOBODY) bytes = emptyApproach();
    else if (who in SAMPLE_FACES) bytes = sampleFaceFile(SAMPLE_FACES[who as SampleFaceName]);
    else {
      try {
        bytes = readFileSync(who);
      } catch {
        throw new StationError("SIM_BAD_COMMAND", "sim", `no face "${who}"`, {
          hint: `one of ${SimFaceCamera.names().join(", ")}, or an image file`,
        });
      }
    }
    this.cache.set(who, bytes);
    return bytes;
  }
}

/**
 * The door approach with nobody in it, as the camera's JPEG: a lit wall above a darker floor,
 * the door frame at the side, a little sensor noise. 320x240: the face process finds no face and
 * answers quickly, which is all the selftest needs of it.
 */
function emptyApproach(): Uint8Array {
  const width = 320;
  const height = 240;
  const rgb = new Uint8Array(width * height * 3);
  let seed = 7;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const noise = (seed % 9) - 4;
      const wall = y < height * 0.7 ? 190 - y * 0.2 : 95;
      const door = x > width * 0.75 && x < width * 0.8 ? -60 : 0;
      const v = wall + door + noise;
      const o = (y * width + x) * 3;
      rgb[o] = Math.max(0, Math.min(255, v + 6));
      rgb[o + 1] = Math.max(0, Math.min(255, v));
      rgb[o + 2] = Math.max(0, Math.min(255, v - 8));
    }
  }
  return encodeJpeg({ width, height, rgb }, 85);
}
