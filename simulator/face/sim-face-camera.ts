import { readFileSync } from "node:fs";
import { StationError } from "../../config/errors.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { Frame, FrameSource } from "../../device/ports/frame-source.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import { SAMPLE_FACES, type SampleFaceName, sampleFaceFile } from "./sample-faces.ts";

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

  /** names a person (or an attack) can be shown as */
  static names(): string[] {
    return Object.keys(SAMPLE_FACES);
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
    if (who in SAMPLE_FACES) bytes = sampleFaceFile(SAMPLE_FACES[who as SampleFaceName]);
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
