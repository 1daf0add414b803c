import { z } from "zod";

export const TimeQualitySchema = z
  .enum(["synced", "rtc", "unknown"])
  .describe(
    "how far the station trusts its wall clock: synced (NTP since boot), rtc (battery clock), unknown",
  );
export type TimeQuality = z.output<typeof TimeQualitySchema>;
