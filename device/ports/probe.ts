/** What a doctor check on a part of the hardware found, with what to do about a failure. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

/** A check a technician's `doctor` runs on a part of the hardware, read-only. */
export interface HardwareProbe {
  readonly id: string;
  readonly title: string;
  run(): Promise<ProbeResult>;
}
