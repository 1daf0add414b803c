/**
 * How far the station can trust its wall clock. `synced`: NTP (or the central server) has set
 * it since boot; `rtc`: a battery-backed RTC set it at boot; `unknown`: neither — a Pi without
 * an RTC boots at the last saved time, which may be days old.
 */
export type TimeQuality = "synced" | "rtc" | "unknown";

export interface TimeSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  quality(): TimeQuality;
  onChange(listener: (quality: TimeQuality) => void): () => void;
}
