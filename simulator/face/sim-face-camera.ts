import { readFileSync } from "node:fs";
import { StationError } from "../../config/errors.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { Frame, FrameSource } from "../../device/ports/frame-source.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import { encodeJpeg } from "./image-encode.ts";
import { SAMPLE_FACES, type SampleFaceName, sampleFaceFile } from "./sample-faces.ts";
import { MOTION_SCENES, type MotionSceneName, sceneFiles } from "./sim-scenes.ts";

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
  private readonly cache = new Map<string, Uint8Array[]>();
  private running = false;
  /** who is in front of the camera now, and the next frame of their scene */
  private scene: { frames: Uint8Array[]; next: number } | undefined;
  private burstTimer: TimerHandle | undefined;

  constructor(private readonly clock: Clock) {}

  async start(): Promise<void> {
    this.running = true;
    this.statuses.emit({ online: true });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.burstTimer);
  }

  onFrame(l: (f: Frame) => void) {
    return this.frames.add(l);
  }

  onStatus(l: (s: { online: boolean; detail?: string }) => void) {
    return this.statuses.add(l);
  }

  /** names a person (or an attack) can be shown as, and the empty approach */
  static names(): string[] {
    return [...Object.keys(SAMPLE_FACES), ...Object.keys(MOTION_SCENES), NOBODY];
  }

  /** A frame of the empty approach (FrameSource.requestFrame): a stopped camera sends nothing. */
  requestFrame(): void {
    if (this.running) this.present(NOBODY);
  }

  /**
   * `who` steps up: the first frame of them. A still name (a sample face, a file) stays as it is
   * for a burst; a motion scene (sim-scenes.ts) moves through its frames.
   */
  present(who: string): void {
    if (!this.running) throw new StationError("SIM_BAD_COMMAND", "sim", "the camera is not running");
    const frames = this.images(who);
    this.clock.clearTimeout(this.burstTimer);
    this.scene = { frames, next: 1 };
    this.frames.emit({ sourceId: this.id, bytes: frames[0] as Uint8Array, atMs: this.clock.monotonic() });
  }

  /** The next `count` frames of the scene in front of the camera, `intervalMs` apart (its last frame held). */
  requestBurst(count: number, intervalMs: number): void {
    const scene = this.scene;
    if (!this.running || !scene) return;
    this.clock.clearTimeout(this.burstTimer);
    let left = count;
    const tick = () => {
      if (!this.running || this.scene !== scene || left <= 0) return;
      left--;
      const i = Math.min(scene.next++, scene.frames.length - 1);
      this.frames.emit({
        sourceId: this.id,
        bytes: scene.frames[i] as Uint8Array,
        atMs: this.clock.monotonic(),
      });
      if (left > 0) this.burstTimer = this.clock.setTimeout(tick, intervalMs);
    };
    this.burstTimer = this.clock.setTimeout(tick, intervalMs);
  }

  /** The first frame of `who` (a still name's only one). */
  image(who: string): Uint8Array {
    return this.images(who)[0] as Uint8Array;
  }

  images(who: string): Uint8Array[] {
    const cached = this.cache.get(who);
    if (cached) return cached;
    let bytes: Uint8Array[];
    if (who === NOBODY) bytes = [emptyApproach()];
    else if (who in SAMPLE_FACES) bytes = [sampleFaceFile(SAMPLE_FACES[who as SampleFaceName])];
    else if (who in MOTION_SCENES) bytes = sceneFiles(who as MotionSceneName);
    else {
      try {
        bytes = [readFileSync(who)];
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
