import type { z } from "zod";
import type { StationConfig } from "./schema.ts";
import { DEFAULT_TIME_ZONE } from "./sections/time-zone.ts";
import { isKnownTimeZone } from "./time-zone.ts";

/**
 * The station has one time zone, `station.timezone`. Earlier files gave one per section; those
 * keys are still read, as the station's zone, and warned about (config validate, the log at
 * start). Two given zones that disagree cannot be mapped onto one: the file is refused, naming
 * both (issue code TIMEZONE_CONFLICT).
 */
export const DEPRECATED_TIME_ZONE_KEYS = [
  "access.timezone",
  "door.passage.timezone",
  "occupancy.welfare.timezone",
] as const;

export type TimeZoneKey = "station.timezone" | (typeof DEPRECATED_TIME_ZONE_KEYS)[number];

/** The parts of a parsed file that can name a zone (the schema's output, before resolution). */
interface ZoneSettings {
  station: { timezone?: string | undefined };
  access: { timezone?: string | undefined };
  door: { passage: { timezone?: string | undefined } };
  occupancy?: { welfare: { timezone?: string | undefined } } | undefined;
}

/** Every zone the file gives, station.timezone first. */
export function givenTimeZones(c: ZoneSettings): { key: TimeZoneKey; zone: string }[] {
  const all: [TimeZoneKey, string | undefined][] = [
    ["station.timezone", c.station.timezone],
    ["access.timezone", c.access.timezone],
    ["door.passage.timezone", c.door.passage.timezone],
    ["occupancy.welfare.timezone", c.occupancy?.welfare.timezone],
  ];
  return all.flatMap(([key, zone]) => (zone === undefined ? [] : [{ key, zone }]));
}

/** The zone everything local-time is read in. */
export function stationTimeZone(c: Pick<StationConfig, "station" | "access" | "door" | "occupancy">): string {
  return givenTimeZones(c)[0]?.zone ?? DEFAULT_TIME_ZONE;
}

/** The schema's check: every given zone names the same one (unknown names are refused on their own). */
export function refineTimeZones(c: ZoneSettings, ctx: z.RefinementCtx): void {
  const given = givenTimeZones(c).filter((g) => isKnownTimeZone(g.zone));
  const first = given[0];
  if (!first) return;
  for (const g of given.slice(1)) {
    if (g.zone === first.zone) continue;
    ctx.addIssue({
      code: "custom",
      path: g.key.split("."),
      message: `${first.key} is "${first.zone}" but ${g.key} is "${g.zone}": a station has one time zone`,
      params: {
        code: "TIMEZONE_CONFLICT",
        hint: `write it once, as station.timezone, and remove ${[first.key, g.key].filter((k) => k !== "station.timezone").join(" and ")} (deprecated)`,
      },
    });
  }
}

/** A deprecated setting the file still uses: read, and warned about at validate and at start. */
export interface DeprecatedSetting {
  readonly setting: string;
  readonly detail: string;
}

export function deprecatedSettings(c: ZoneSettings): DeprecatedSetting[] {
  return givenTimeZones(c)
    .filter((g) => g.key !== "station.timezone")
    .map((g) => ({
      setting: g.key,
      detail: `${g.key} is deprecated: it is read as station.timezone ("${g.zone}"), the one zone of schedules, opening hours, the fair-use day, passage and welfare windows; write station.timezone instead`,
    }));
}
