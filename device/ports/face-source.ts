/** A face source: a camera with an on-device embedder, or an external face terminal. */
export interface FaceObservation {
  readonly sourceId: string;
  /** L2-normalised embedding; templates never leave the device */
  readonly embedding: Float32Array;
  readonly quality: number;
  /** liveness score 0..1 when the source measures it */
  readonly liveness?: number;
  readonly atMs: number;
}

export interface FaceSource {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  onObservation(listener: (obs: FaceObservation) => void): () => void;
  onStatus(listener: (status: { online: boolean; detail?: string }) => void): () => void;
}
