/**
 * What is plugged into a simulated outlet: a charger drawing constant power until its battery is
 * nearly full, then tapering to a trickle (which the controller reads as charge complete).
 */
export interface LoadProfile {
  readonly capacityWh: number;
  /** constant-power phase */
  readonly maxW: number;
  /** state of charge where the taper starts */
  readonly taperFromPct: number;
  /** what a charger draws once its battery is full */
  readonly standbyW: number;
  readonly powerFactor: number;
}

export const LOADS = {
  phone: { capacityWh: 15, maxW: 18, taperFromPct: 80, standbyW: 0.3, powerFactor: 0.6 },
  ebike: { capacityWh: 500, maxW: 180, taperFromPct: 85, standbyW: 1.5, powerFactor: 0.95 },
} as const satisfies Record<string, LoadProfile>;
export type LoadKind = keyof typeof LOADS;

export class ChargeLoad {
  socPct: number;

  constructor(
    readonly kind: LoadKind,
    startSocPct: number,
  ) {
    this.socPct = startSocPct;
  }

  get profile(): LoadProfile {
    return LOADS[this.kind];
  }

  powerW(): number {
    const p = this.profile;
    if (this.socPct >= 100) return p.standbyW;
    if (this.socPct < p.taperFromPct) return p.maxW;
    const left = (100 - this.socPct) / (100 - p.taperFromPct);
    return p.standbyW + (p.maxW - p.standbyW) * left;
  }

  /** Charges for `ms` at the current power; returns the energy drawn (Wh). */
  run(ms: number): number {
    const wh = (this.powerW() * ms) / 3_600_000;
    if (this.socPct < 100) this.socPct = Math.min(100, this.socPct + (wh / this.profile.capacityWh) * 100);
    return wh;
  }
}
