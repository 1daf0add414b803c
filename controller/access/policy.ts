import type { AccessReason } from "../contract/access-events.ts";
import type { TimeQuality } from "../contract/time-quality.ts";
import { inAnyWindow, type LocalTime, type TimeWindow } from "../time/local-time.ts";
import type { CredentialEntry } from "./credential-store.ts";

export type SecondFactorUse = "none" | "face" | "pin" | "waived-face-down";

export type Decision =
  | {
      readonly granted: true;
      readonly reason: "granted";
      readonly entry: CredentialEntry;
      readonly secondFactor: SecondFactorUse;
    }
  | {
      readonly granted: false;
      readonly reason: Exclude<AccessReason, "granted">;
      readonly entry?: CredentialEntry;
    };

/** Everything a decision depends on, gathered by the access controller. Nothing here is online state. */
export interface DecisionContext {
  readonly entry: CredentialEntry | undefined;
  /** wall clock, epoch ms */
  readonly now: number;
  readonly timeQuality: TimeQuality;
  /** local wall time, computed only when a schedule needs it */
  readonly localTime: () => LocalTime;
  readonly schedules: ReadonlyMap<string, readonly TimeWindow[]>;
  readonly holidays: ReadonlySet<string>;
  readonly readerLockedOut: boolean;
  /** this credential entered within the anti-passback window */
  readonly passbackActive: boolean;
  readonly occupancy: number | undefined;
  readonly capacity: number | undefined;
  readonly face: "verified" | "not-verified" | "module-down";
  /** this person's PIN was typed at the keypad within the window before the card */
  readonly pin: boolean;
  readonly faceDownPolicy: "deny" | "card-only";
}

/** Staff who must be able to reach a station in trouble are not held back by lockout or capacity. */
const isStaff = (e: CredentialEntry) => e.role === "technician" || e.role === "admin";

/**
 * The access policy, a pure function. The order is the written one in docs/access-policy.md:
 * lockout, identity, status, time-dependent validity, anti-passback, capacity, second factor.
 */
export function decide(c: DecisionContext): Decision {
  const e = c.entry;
  if (c.readerLockedOut && !(e && e.status === "active" && isStaff(e))) {
    return e ? { granted: false, reason: "lockout", entry: e } : { granted: false, reason: "lockout" };
  }
  if (!e) return { granted: false, reason: "unknown" };
  if (e.status === "blocked") return { granted: false, reason: "blocked", entry: e };
  if (e.status === "lost") return { granted: false, reason: "lost", entry: e };

  const timeDependent = e.validFrom !== undefined || e.validUntil !== undefined || e.schedule !== undefined;
  if (timeDependent) {
    // A wrong clock must not let an expired card in, nor keep a valid night shift out by accident:
    // without trusted time, only credentials valid at all times are honoured.
    if (c.timeQuality === "unknown") return { granted: false, reason: "time-unknown", entry: e };
    if (e.validFrom !== undefined && c.now < e.validFrom)
      return { granted: false, reason: "not-yet-valid", entry: e };
    if (e.validUntil !== undefined && c.now >= e.validUntil)
      return { granted: false, reason: "expired", entry: e };
    if (e.schedule !== undefined) {
      const windows = c.schedules.get(e.schedule);
      // An unknown schedule name is a configuration fault; it fails closed.
      if (!windows || !inAnyWindow(windows, c.localTime(), c.holidays)) {
        return { granted: false, reason: "outside-schedule", entry: e };
      }
    }
  }
  if (c.passbackActive && !isStaff(e)) return { granted: false, reason: "passback", entry: e };
  if (c.capacity !== undefined && c.occupancy !== undefined && c.occupancy >= c.capacity && !isStaff(e)) {
    return { granted: false, reason: "capacity", entry: e };
  }
  let secondFactor: SecondFactorUse = "none";
  if (e.secondFactor) {
    if (c.pin) secondFactor = "pin";
    else if (c.face === "verified") secondFactor = "face";
    else if (c.face === "module-down" && c.faceDownPolicy === "card-only") secondFactor = "waived-face-down";
    else return { granted: false, reason: "needs-second-factor", entry: e };
  }
  return { granted: true, reason: "granted", entry: e, secondFactor };
}

/** Refusals that count towards a reader lockout: a wrong or invalid credential, not a station condition. */
export const COUNTS_TOWARDS_LOCKOUT: ReadonlySet<AccessReason> = new Set([
  "unknown",
  "blocked",
  "lost",
  "expired",
  "not-yet-valid",
  "outside-schedule",
  "pin-too-short",
]);
