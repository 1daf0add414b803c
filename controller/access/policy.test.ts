import { describe, expect, it } from "vitest";
import { localTime } from "../time/local-time.ts";
import type { CredentialEntry } from "./credential-store.ts";
import { type DecisionContext, decide } from "./policy.ts";

const NOW = Date.parse("2026-03-02T04:00:00Z"); // Monday 12:00 in Shanghai
const worker: CredentialEntry = { personId: "w1", role: "worker", status: "active", secondFactor: false };
const tech: CredentialEntry = { ...worker, personId: "t1", role: "technician" };

const base: DecisionContext = {
  entry: worker,
  now: NOW,
  timeQuality: "synced",
  localTime: () => localTime(NOW, "Asia/Shanghai"),
  schedules: new Map([
    ["day", [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "08:00", to: "18:00" }]],
    ["night", [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "20:00", to: "08:00" }]],
  ]),
  holidays: new Set(),
  readerLockedOut: false,
  passbackActive: false,
  occupancy: undefined,
  capacity: undefined,
  face: "not-verified",
  pin: false,
  faceDownPolicy: "deny",
};

interface Row {
  name: string;
  ctx: Partial<DecisionContext>;
  reason: string;
  secondFactor?: string;
}

const rows: Row[] = [
  { name: "an active worker valid at all times", ctx: {}, reason: "granted", secondFactor: "none" },
  { name: "an unknown card", ctx: { entry: undefined }, reason: "unknown" },
  { name: "a blocked card", ctx: { entry: { ...worker, status: "blocked" } }, reason: "blocked" },
  { name: "a card reported lost", ctx: { entry: { ...worker, status: "lost" } }, reason: "lost" },
  { name: "before its validity", ctx: { entry: { ...worker, validFrom: NOW + 1 } }, reason: "not-yet-valid" },
  {
    name: "at the first instant of its validity",
    ctx: { entry: { ...worker, validFrom: NOW } },
    reason: "granted",
  },
  { name: "after its validity", ctx: { entry: { ...worker, validUntil: NOW } }, reason: "expired" },
  { name: "inside its schedule", ctx: { entry: { ...worker, schedule: "day" } }, reason: "granted" },
  {
    name: "outside its schedule",
    ctx: { entry: { ...worker, schedule: "night" } },
    reason: "outside-schedule",
  },
  {
    name: "a schedule-bound card on a holiday without hol windows",
    ctx: { entry: { ...worker, schedule: "day" }, holidays: new Set(["2026-03-02"]) },
    reason: "outside-schedule",
  },
  {
    name: "a schedule name the config does not have fails closed",
    ctx: { entry: { ...worker, schedule: "nonexistent" } },
    reason: "outside-schedule",
  },
  {
    name: "time unknown: a schedule-bound card is refused",
    ctx: { entry: { ...worker, schedule: "day" }, timeQuality: "unknown" },
    reason: "time-unknown",
  },
  {
    name: "time unknown: a card with an expiry is refused",
    ctx: { entry: { ...worker, validUntil: NOW + 1e9 }, timeQuality: "unknown" },
    reason: "time-unknown",
  },
  {
    name: "time unknown: a card valid at all times still opens",
    ctx: { timeQuality: "unknown" },
    reason: "granted",
  },
  {
    name: "time from the RTC is trusted",
    ctx: { entry: { ...worker, schedule: "day" }, timeQuality: "rtc" },
    reason: "granted",
  },
  { name: "the reader is locked out", ctx: { readerLockedOut: true }, reason: "lockout" },
  {
    name: "lockout for an unknown card",
    ctx: { readerLockedOut: true, entry: undefined },
    reason: "lockout",
  },
  {
    name: "a technician is not held by a lockout",
    ctx: { readerLockedOut: true, entry: tech },
    reason: "granted",
  },
  {
    name: "a blocked technician is held by a lockout",
    ctx: { readerLockedOut: true, entry: { ...tech, status: "blocked" } },
    reason: "lockout",
  },
  { name: "a worker passing a card back", ctx: { passbackActive: true }, reason: "passback" },
  {
    name: "anti-passback does not hold a technician",
    ctx: { passbackActive: true, entry: tech },
    reason: "granted",
  },
  { name: "a full station refuses a worker", ctx: { capacity: 10, occupancy: 10 }, reason: "capacity" },
  { name: "a station with room", ctx: { capacity: 10, occupancy: 9 }, reason: "granted" },
  {
    name: "an unknown occupancy never refuses",
    ctx: { capacity: 10, occupancy: undefined },
    reason: "granted",
  },
  {
    name: "a full station still lets a technician in",
    ctx: { capacity: 10, occupancy: 12, entry: tech },
    reason: "granted",
  },
  {
    name: "a face is required and was not seen",
    ctx: { entry: { ...worker, secondFactor: true } },
    reason: "needs-second-factor",
  },
  {
    name: "a face is required and was matched",
    ctx: { entry: { ...worker, secondFactor: true }, face: "verified" },
    reason: "granted",
    secondFactor: "face",
  },
  {
    name: "a second factor is required and the person's PIN was typed first",
    ctx: { entry: { ...worker, secondFactor: true }, pin: true, face: "module-down" },
    reason: "granted",
    secondFactor: "pin",
  },
  {
    name: "face module down, policy deny",
    ctx: { entry: { ...worker, secondFactor: true }, face: "module-down" },
    reason: "needs-second-factor",
  },
  {
    name: "face module down, policy card-only",
    ctx: { entry: { ...worker, secondFactor: true }, face: "module-down", faceDownPolicy: "card-only" },
    reason: "granted",
    secondFactor: "waived-face-down",
  },
  {
    name: "a blocked card is blocked before anything else is looked at",
    ctx: {
      entry: { ...worker, status: "blocked", schedule: "night" },
      timeQuality: "unknown",
      capacity: 1,
      occupancy: 5,
    },
    reason: "blocked",
  },
];

describe("access policy", () => {
  it.each(rows)("$name: $reason", ({ ctx, reason, secondFactor }) => {
    const d = decide({ ...base, ...ctx });
    expect(d.reason).toBe(reason);
    expect(d.granted).toBe(reason === "granted");
    if (secondFactor && d.granted) expect(d.secondFactor).toBe(secondFactor);
  });

  it("does not compute local time for credentials valid at all times (the hot path)", () => {
    let called = 0;
    decide({
      ...base,
      localTime: () => {
        called++;
        return base.localTime();
      },
    });
    expect(called).toBe(0);
  });
});
