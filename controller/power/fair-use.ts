import { localTime } from "../time/local-time.ts";
/**
 * Fair use of the outlets: how many at once and how much energy per person per day. Pure; the
 * runner keeps the day's totals.
 */
export interface FairUseRule {
  readonly maxConcurrent: number;
  readonly maxDailyWh: number;
}

export type FairUseVerdict = "ok" | "fair-use-concurrent" | "fair-use-energy";

export function fairUse(rule: FairUseRule, activeSessions: number, usedTodayWh: number): FairUseVerdict {
  if (activeSessions >= rule.maxConcurrent) return "fair-use-concurrent";
  if (usedTodayWh >= rule.maxDailyWh) return "fair-use-energy";
  return "ok";
}

/** Energy per person per local day; yesterday's totals are forgotten as the day turns. */
/** The station's local date (the zone files, not Intl: the first Intl formatter pages in ~7 MB of ICU). */
export const localDay =
  (timeZone: string) =>
  (epochMs: number): string =>
    localTime(epochMs, timeZone).date;

export class DailyEnergy {
  private day = "";
  private readonly used = new Map<string, number>();

  constructor(private readonly dayOf: (epochMs: number) => string) {}

  add(who: string, wh: number, nowMs: number): void {
    this.roll(nowMs);
    this.used.set(who, (this.used.get(who) ?? 0) + wh);
  }

  get(who: string, nowMs: number): number {
    this.roll(nowMs);
    return this.used.get(who) ?? 0;
  }

  private roll(nowMs: number): void {
    const d = this.dayOf(nowMs);
    if (d !== this.day) {
      this.day = d;
      this.used.clear();
    }
  }
}
