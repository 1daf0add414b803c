import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { z } from "zod";
import type { SwapState } from "./swap-machine.ts";

const StoredSchema = z.object({
  swap: z.record(z.string(), z.unknown()).refine((s) => typeof s.step === "string"),
  // Written by earlier versions; quarantines are in station-state.json now (read, to carry them over).
  quarantined: z
    .array(z.object({ slot: z.number().int(), batteryId: z.string(), reason: z.string() }))
    .default([]),
});

export interface Quarantined {
  slot: number;
  batteryId: string;
  reason: string;
  detail?: string;
  /** wall clock, ISO 8601 */
  since?: string;
}

export interface CabinetRecord {
  swap: SwapState;
  quarantined: Quarantined[];
}

/**
 * The swap in progress, written (and fsync'd) after every change, so a power cut mid-swap is
 * resumed after the restart. (The quarantined slots live in station-state.json beside the
 * station's other quarantines; `quarantined` here is only what an earlier version wrote.) A file
 * that cannot be read is a fresh start, reported by the caller; it is small and replaced
 * atomically (write, fsync, rename).
 */
export class CabinetStore {
  constructor(readonly file: string) {}

  load(): { record: CabinetRecord; problem?: string } {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return { record: { swap: { step: "idle" }, quarantined: [] } };
    }
    try {
      const parsed = StoredSchema.parse(JSON.parse(text));
      return { record: { swap: parsed.swap as unknown as SwapState, quarantined: parsed.quarantined } };
    } catch (err) {
      return { record: { swap: { step: "idle" }, quarantined: [] }, problem: String(err) };
    }
  }

  save(record: CabinetRecord): void {
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, "w", 0o600); // the data directory is private (checked at start)
    try {
      writeSync(fd, JSON.stringify({ swap: record.swap }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
