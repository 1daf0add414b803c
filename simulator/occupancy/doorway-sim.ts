import type { Clock } from "../../device/ports/clock.ts";
import { SimInputLine } from "../gpio-lines.ts";

export interface WalkOptions {
  /** time between one beam edge of a person and the next (a brisk walk: ~120 ms) */
  stepMs?: number;
  /** time between two people's starts; less than 4 steps puts them in the beams together */
  gapMs?: number;
}

/**
 * The doorway's simulated sensors: the outer and inner beams and a PIR. People walking through
 * break the beams in order; several people in the doorway at once keep a beam broken while any
 * of them is in it, as light beams do.
 */
export class SimDoorway {
  readonly outer: SimInputLine;
  readonly inner: SimInputLine;
  readonly pir: SimInputLine;
  private inOuter = 0;
  private inInner = 0;
  private pirUntil = 0;

  constructor(
    private readonly clock: Clock,
    /** how long the PIR holds its output after motion (real modules: 2-8 s) */
    private readonly pirHoldMs = 3000,
  ) {
    this.outer = new SimInputLine("beamOuter", false, clock);
    this.inner = new SimInputLine("beamInner", false, clock);
    this.pir = new SimInputLine("pir", false, clock);
  }

  /** People walk through: in = outer then inner. */
  walk(direction: "in" | "out", people = 1, opts: WalkOptions = {}): void {
    const step = opts.stepMs ?? 120;
    const gap = opts.gapMs ?? 1000;
    const [first, second] =
      direction === "in" ? (["outer", "inner"] as const) : (["inner", "outer"] as const);
    for (let i = 0; i < people; i++) {
      const t0 = i * gap;
      this.at(t0, () => this.enterBeam(first));
      this.at(t0 + step, () => this.enterBeam(second));
      this.at(t0 + 2 * step, () => this.leaveBeam(first));
      this.at(t0 + 3 * step, () => {
        this.leaveBeam(second);
        this.motion();
      });
    }
  }

  /** Someone stands in the outer beam (or a bag blocks it) until `clearBeams()`. */
  blockOuter(): void {
    this.enterBeam("outer");
  }

  clearBeams(): void {
    this.inOuter = 0;
    this.inInner = 0;
    this.outer.set(false);
    this.inner.set(false);
  }

  /** Motion in the PIR's field: active now, released after the hold time without more motion. */
  motion(): void {
    this.pir.set(true);
    this.pirUntil = this.clock.monotonic() + this.pirHoldMs;
    this.clock.setTimeout(() => {
      if (this.clock.monotonic() >= this.pirUntil) this.pir.set(false);
    }, this.pirHoldMs);
  }

  private at(ms: number, fn: () => void): void {
    if (ms <= 0) fn();
    else this.clock.setTimeout(fn, ms);
  }

  private enterBeam(which: "outer" | "inner"): void {
    if (which === "outer") this.outer.set(++this.inOuter > 0);
    else this.inner.set(++this.inInner > 0);
  }

  private leaveBeam(which: "outer" | "inner"): void {
    if (which === "outer") {
      this.inOuter = Math.max(0, this.inOuter - 1);
      this.outer.set(this.inOuter > 0);
    } else {
      this.inInner = Math.max(0, this.inInner - 1);
      this.inner.set(this.inInner > 0);
    }
  }
}
