import type { RadarReport } from "../ld2410/codec.ts";

/**
 * A presence radar as the controller sees it: readings, and how far to trust them.
 * `latched` means the module repeats the same energies frame after frame (a known LD2410 fault);
 * `stale` means it stopped talking while the link is up; `offline` means the link is gone.
 */
export type RadarHealth = "starting" | "good" | "stale" | "latched" | "offline";

/** One report as the controller sees it: the module's basic fields and when it arrived. */
export type RadarReading = Omit<RadarReport, "engineering" | "movingGates" | "stillGates"> & {
  /** monotonic ms when the frame's last byte arrived */
  readonly atMs: number;
};

export interface RadarStatus {
  readonly health: RadarHealth;
  readonly detail?: string | undefined;
  readonly firmware?: string | undefined;
  readonly frames: number;
  readonly garbageBytes: number;
  readonly badFrames: number;
  readonly reinits: number;
  readonly reopens: number;
}

export interface PresenceRadar {
  readonly name: string;
  /** never throws for a missing device: it reports `offline` and keeps trying */
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): RadarStatus;
  onReading(listener: (reading: RadarReading) => void): () => void;
  onStatus(listener: (status: RadarStatus) => void): () => void;
  /** the module's firmware version, asked over the wire now: rejects when it does not answer */
  identify(): Promise<string>;
  /** restart the module and configure it again (a technician's command, or the driver's own) */
  reinitialise(reason: string): Promise<void>;
}
