import { Listeners } from "../device/ports/listeners.ts";
import type { TimeQuality, TimeSource } from "../device/ports/time-source.ts";

/** The station's time quality as a scenario sets it: NTP reachable, only the RTC, or nothing. */
export class SimTimeSource implements TimeSource {
  private readonly listeners = new Listeners<TimeQuality>();

  constructor(private current: TimeQuality = "synced") {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  quality(): TimeQuality {
    return this.current;
  }

  onChange(listener: (quality: TimeQuality) => void): () => void {
    return this.listeners.add(listener);
  }

  set(quality: TimeQuality): void {
    if (quality === this.current) return;
    this.current = quality;
    this.listeners.emit(quality);
  }
}
