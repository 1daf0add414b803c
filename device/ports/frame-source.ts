/** One camera frame, encoded (JPEG from a camera, PNG or JPEG from an image file). */
export interface Frame {
  readonly sourceId: string;
  readonly bytes: Uint8Array;
  /** monotonic ms when the frame arrived */
  readonly atMs: number;
}

/**
 * Where faces come from: a camera at the door (device/face/camera-frame-source.ts) or the
 * simulator's image files. The station only passes frames on to the face process; it never
 * decodes or keeps them.
 */
export interface FrameSource {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  onFrame(listener: (frame: Frame) => void): () => void;
  onStatus(listener: (status: { online: boolean; detail?: string }) => void): () => void;
  /**
   * Deliver a frame of whatever is in front of the camera now, nobody or somebody (the selftest
   * asks). A streaming camera needs no method: it delivers a frame every 1/fps s anyway. The
   * simulator's camera, which otherwise delivers frames only when someone steps up, sends one of
   * the empty door approach. Nothing happens while the camera is stopped or broken.
   */
  requestFrame?(): void;
  /**
   * Deliver the next `count` frames of whoever is in front of the camera, `intervalMs` apart (the
   * motion liveness check's burst). A streaming camera needs no method: its frames keep coming and
   * the station takes every one that is `intervalMs` after the last. The simulator's camera, which
   * otherwise sends one frame a presentation, sends the rest of the scene it shows.
   */
  requestBurst?(count: number, intervalMs: number): void;
}
