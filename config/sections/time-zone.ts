import { z } from "zod";
import { isKnownTimeZone } from "../time-zone.ts";

/** The station's zone when the file names none. */
export const DEFAULT_TIME_ZONE = "Asia/Shanghai";

const knownZone = (what: string) =>
  z
    .string()
    .superRefine((name, ctx) => {
      if (!isKnownTimeZone(name)) ctx.addIssue({ code: "custom", message: `unknown time zone "${name}"` });
    })
    .describe(
      `${what}: an IANA zone such as Asia/Shanghai or Asia/Urumqi (a file under /usr/share/zoneinfo)`,
    );

/**
 * `station.timezone`, the one zone everything local-time is read in, refused at load when unknown:
 * a typo ("Asia/Shangai") would otherwise surface as a RangeError at the first schedule or
 * welfare check. No default in the schema: config/station-time-zone.ts resolves it (with the
 * deprecated keys), so a file re-read with an overlay still tells given from defaulted.
 */
export const stationTimeZone = () =>
  knownZone(
    `the station's time zone (default ${DEFAULT_TIME_ZONE}): access schedules and holidays, outlet opening hours, the fair-use day, passage and welfare windows are all local time in it`,
  ).optional();

/** A per-section zone of earlier versions: still read (as station.timezone), warned about. */
export const deprecatedTimeZone = (key: string) =>
  knownZone(`deprecated, read as station.timezone (write that instead of ${key})`).optional();
