import { isStationError, StationError } from "../../config/errors.ts";
import type { Clock } from "../ports/clock.ts";
import { Listeners } from "../ports/listeners.ts";
import type { ModbusRequest } from "./rtu-codec.ts";
import type { Answer, RtuMaster } from "./rtu-master.ts";

/** Safety reads go first in every cycle, then the meters, then everything else. */
export type BusPriority = "safety" | "meter" | "other";
const RANK: Record<BusPriority, number> = { safety: 0, meter: 1, other: 2 };

export interface PollJob {
  readonly id: string;
  readonly priority: BusPriority;
  readonly request: ModbusRequest;
  /** called synchronously with the answer or the typed error, so a cut is not one turn later */
  readonly onResult: (result: Answer | StationError) => void;
}

export interface CycleReport {
  readonly n: number;
  readonly durationMs: number;
  readonly transactions: number;
  readonly failures: number;
}

interface OneOff {
  priority: BusPriority;
  request: ModbusRequest;
  resolve: (a: Answer) => void;
  reject: (e: unknown) => void;
}

/**
 * The budget of one RS-485 line: every registered job once per cycle, in priority order, back to
 * back (a cycle starts at most every `minCycleMs`). A one-off request (a slot unlock, a threshold
 * write) is taken before the rest of the cycle's jobs of a lower priority. A device that is
 * offline is still asked once per cycle, without retries, so it cannot eat the others' budget.
 */
export class BusScheduler {
  private readonly jobs: PollJob[] = [];
  private readonly oneOffs: OneOff[] = [];
  private readonly cycles = new Listeners<CycleReport>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private n = 0;
  lastCycle: CycleReport | undefined;

  constructor(
    private readonly master: RtuMaster,
    private readonly clock: Clock,
    private readonly opts: { minCycleMs: number; safetyReadsPerCycle?: number },
  ) {}

  /**
   * One cycle's jobs in priority order; with `safetyReadsPerCycle` > 1 the safety reads come
   * again at even intervals through the rest, so a safety bit waits at most a fraction of a
   * cycle for its read (each repeat costs one small transaction).
   */
  private cycleQueue(): PollJob[] {
    const sorted = [...this.jobs].sort((a, b) => RANK[a.priority] - RANK[b.priority]);
    const safety = sorted.filter((j) => j.priority === "safety");
    const rest = sorted.filter((j) => j.priority !== "safety");
    const reads = Math.max(1, this.opts.safetyReadsPerCycle ?? 1);
    if (safety.length === 0 || reads === 1) return sorted;
    const out = [...safety];
    for (let k = 0; k < reads; k++) {
      const from = Math.round((k * rest.length) / reads);
      const to = Math.round(((k + 1) * rest.length) / reads);
      out.push(...rest.slice(from, to));
      if (k < reads - 1) out.push(...safety);
    }
    return out;
  }

  add(job: PollJob): () => void {
    this.jobs.push(job);
    return () => {
      const i = this.jobs.indexOf(job);
      if (i >= 0) this.jobs.splice(i, 1);
    };
  }

  submit(priority: BusPriority, request: ModbusRequest): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.oneOffs.push({ priority, request, resolve, reject });
      this.wake?.();
    });
  }

  onCycle(listener: (report: CycleReport) => void): () => void {
    return this.cycles.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    for (const o of this.oneOffs.splice(0))
      o.reject(new StationError("MODBUS_LINK_DOWN", "modbus", "bus scheduler stopped"));
  }

  private async run(): Promise<void> {
    while (this.running) {
      const t0 = this.clock.monotonic();
      const queue = this.cycleQueue();
      let transactions = 0;
      let failures = 0;
      while (this.running && (queue.length > 0 || this.oneOffs.length > 0)) {
        const job = queue[0];
        const oneOff = this.oneOffs[0];
        if (oneOff && (!job || RANK[oneOff.priority] <= RANK[job.priority])) {
          this.oneOffs.shift();
          transactions++;
          await this.master.request(oneOff.request).then(oneOff.resolve, oneOff.reject);
          continue;
        }
        if (!job) break;
        queue.shift();
        transactions++;
        const online = this.master.device(job.request.unit).online;
        let result: Answer | StationError;
        try {
          result = await this.master.request(job.request, online ? {} : { retries: 0 });
        } catch (err) {
          failures++;
          result = isStationError(err) ? err : new StationError("MODBUS_BAD_FRAME", "modbus", String(err));
        }
        try {
          job.onResult(result);
        } catch {
          // a consumer's bug must not stop the bus (and with it every safety read)
        }
      }
      const report = { n: ++this.n, durationMs: this.clock.monotonic() - t0, transactions, failures };
      this.lastCycle = report;
      this.cycles.emit(report);
      const rest = this.opts.minCycleMs - report.durationMs;
      // Always yield once: with the line down every request fails at once, and the loop must not spin.
      await this.idle(Math.max(rest, transactions === failures ? this.opts.minCycleMs || 50 : 0));
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = this.clock.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        this.clock.clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
