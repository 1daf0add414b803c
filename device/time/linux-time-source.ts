import { existsSync, readFileSync } from "node:fs";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import { Listeners } from "../ports/listeners.ts";
import type { TimeQuality, TimeSource } from "../ports/time-source.ts";

export interface LinuxTimePaths {
  /** systemd-timesyncd creates it once the clock is synchronised (systemd >= 239) */
  syncedFlag: string;
  /** "1" when the kernel set the system clock from this RTC at boot */
  rtcHctosys: string;
}

export const DEFAULT_TIME_PATHS: LinuxTimePaths = {
  syncedFlag: "/run/systemd/timesync/synchronized",
  rtcHctosys: "/sys/class/rtc/rtc0/hctosys",
};

const POLL_MS = 30_000;
/** A wall clock before this cannot be right, whatever the flags say (a Pi's fake-hwclock after years in a drawer). */
const EARLIEST_PLAUSIBLE = Date.UTC(2025, 0, 1);

export function readTimeQuality(paths: LinuxTimePaths, now: number): TimeQuality {
  if (now < EARLIEST_PLAUSIBLE) return "unknown";
  if (existsSync(paths.syncedFlag)) return "synced";
  try {
    if (readFileSync(paths.rtcHctosys, "utf8").trim() === "1") return "rtc";
  } catch {
    // no RTC
  }
  return "unknown";
}

/** Time quality from what systemd and the kernel expose, re-read every 30 s. */
export class LinuxTimeSource implements TimeSource {
  private readonly listeners = new Listeners<TimeQuality>();
  private current: TimeQuality = "unknown";
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly paths: LinuxTimePaths = DEFAULT_TIME_PATHS,
  ) {}

  async start(): Promise<void> {
    this.current = readTimeQuality(this.paths, this.clock.now());
    this.schedule();
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  quality(): TimeQuality {
    return this.current;
  }

  onChange(listener: (quality: TimeQuality) => void): () => void {
    return this.listeners.add(listener);
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      const next = readTimeQuality(this.paths, this.clock.now());
      if (next !== this.current) {
        this.current = next;
        this.listeners.emit(next);
      }
      this.schedule();
    }, POLL_MS);
  }
}
