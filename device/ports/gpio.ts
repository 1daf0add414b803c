/**
 * GPIO lines as the controller sees them: logical levels (true = active), already corrected for
 * active-low wiring and debounced. Real lines come from onoff; simulated ones from the simulator.
 */
export interface GpioEdge {
  /** logical level after the edge */
  readonly active: boolean;
  /** monotonic ms when the level settled */
  readonly atMs: number;
}

export interface GpioInput {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** current logical level */
  read(): boolean;
  onEdge(listener: (edge: GpioEdge) => void): () => void;
}

export interface GpioOutput {
  readonly name: string;
  start(): Promise<void>;
  /** Leaves the line driven at its last level: releasing it could float a relay on. */
  stop(): Promise<void>;
  /** Synchronous on purpose: a lock command must not wait behind other I/O. */
  write(active: boolean): void;
  read(): boolean;
}
