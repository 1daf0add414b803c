import { z } from "zod";
import { isKnownTimeZone } from "../time-zone.ts";

/**
 * An IANA zone the station can compute local time in, refused at load when unknown: a typo
 * ("Asia/Shangai") would otherwise surface as a RangeError at the first schedule or welfare check.
 */
export const timeZone = (what: string) =>
  z
    .string()
    .default("Asia/Shanghai")
    .superRefine((name, ctx) => {
      if (!isKnownTimeZone(name)) ctx.addIssue({ code: "custom", message: `unknown time zone "${name}"` });
    })
    .describe(
      `${what}: an IANA zone such as Asia/Shanghai or Asia/Urumqi (a file under /usr/share/zoneinfo)`,
    );
