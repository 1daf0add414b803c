import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { Frame } from "../../device/ports/frame-source.ts";

export interface BurstOptions {
  /** frames in a burst, the first included */
  readonly frames: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * Gathers the frames after a first one into a burst for the motion liveness check: each at least
 * ~`intervalMs` after the one before (a streaming camera's frames in between are skipped), until
 * the burst is full or `timeoutMs` has passed (then it is judged on what it has). One burst at a
 * time; frames are only passed on, never decoded or kept beyond the burst.
 */
export class BurstCollector {
  private pending:
    | { last: Frame; frames: Frame[]; resolve: (f: Frame[]) => void; timer: TimerHandle | undefined }
    | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly opts: BurstOptions,
  ) {}

  get collecting(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Starts a burst with `first`; resolves with the extra frames when it is full, finished, or
   * `timeoutMs` after `arm`. A streaming camera fills it by itself; `missing` says how many to ask
   * a camera for. No timer runs before `arm`: the first frame's analysis (seconds, for the first
   * frame of a freshly started face process) does not eat into the burst's time.
   */
  collect(first: Frame): Promise<Frame[]> {
    this.finish();
    return new Promise((resolve) => {
      this.pending = { last: first, frames: [], resolve, timer: undefined };
      if (this.opts.frames <= 1) this.finish();
    });
  }

  /** The burst is wanted now: it ends at the latest `timeoutMs` from here. */
  arm(): void {
    const p = this.pending;
    if (!p || p.timer) return;
    p.timer = this.clock.setTimeout(() => this.finish(), this.opts.timeoutMs);
  }

  /** frames the burst still needs (0 when none is being collected) */
  missing(): number {
    return this.pending ? Math.max(0, this.opts.frames - 1 - this.pending.frames.length) : 0;
  }

  /** A frame arrived: "taken" into the burst, "skipped" (too soon after the last), or not collecting. */
  offer(f: Frame): "taken" | "skipped" | "idle" {
    const p = this.pending;
    if (!p) return "idle";
    // 20 % slack: a camera's frame times jitter
    if (f.atMs - p.last.atMs < this.opts.intervalMs * 0.8) return "skipped";
    p.frames.push(f);
    p.last = f;
    if (p.frames.length >= this.opts.frames - 1) this.finish();
    return "taken";
  }

  /** Ends the burst now with what it has (also on stop). */
  finish(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.clock.clearTimeout(p.timer);
    p.resolve(p.frames);
  }
}
