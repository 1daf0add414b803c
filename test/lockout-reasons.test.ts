import { afterEach, describe, expect, it } from "vitest";
import { entranceHarness, type Harness, harnessConfig, summary, worker } from "./support/entrance-harness.ts";

/**
 * Which refusals count towards a reader lockout, end to end through the entrance: every
 * refusal of the credential itself does (someone trying cards that are not, or no longer, theirs
 * to use), a station condition (capacity, anti-passback, unknown time) does not.
 */
const WALL = Date.parse("2026-03-04T12:00:00+08:00");
const UIDS = {
  blocked: "04B10C4D",
  lost: "0410057A",
  expired: "04E0B1ED",
  "not-yet-valid": "0400BE7A",
  "outside-schedule": "0450CEDA",
};
type Reason = keyof typeof UIDS;
/**
 * Three cards per reason: the same refused card read again does not count twice (someone
 * retrying their own card is not someone trying cards), so a lockout needs different ones.
 */
const three = (reason: Reason) => [1, 2, 3].map((i) => `${UIDS[reason].slice(0, 6)}0${i}`);
const RECORDS: Record<Reason, Parameters<typeof worker>[1]> = {
  blocked: { status: "blocked" },
  lost: { status: "lost" },
  expired: { validUntil: WALL - 86_400_000 },
  "not-yet-valid": { validFrom: WALL + 86_400_000 },
  "outside-schedule": { schedule: "dawn" },
};
const CARDS = (Object.keys(UIDS) as Reason[]).flatMap((reason) => [
  worker(UIDS[reason], RECORDS[reason]),
  ...three(reason).map((uid) => worker(uid, RECORDS[reason])),
]);
const YAML = `door: { lockMode: fail-secure }
access: { rereadSuppressMs: 0, lockout: { threshold: 3, cooldownMs: 60000 }, schedules: { dawn: [{ from: "04:00", to: "05:00" }] } }
`;

describe("reader lockout: which refusals count", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });
  /** The entrance with the cards above, the time of the given quality, no events yet. */
  const start = async (quality: "synced" | "unknown") => {
    const x = await entranceHarness({ config: harnessConfig(YAML), credentials: CARDS, wallTime: WALL });
    x.sim.control.setTimeQuality(quality);
    x.events.length = 0;
    return x;
  };

  it.each(Object.keys(UIDS) as Reason[])("three '%s' refusals lock the reader out", async (reason) => {
    h = await start("synced");
    for (const uid of three(reason)) h.sim.control.tap(uid);
    expect(summary(h.events).filter((e) => e.startsWith("access.") || e.startsWith("alarm."))).toEqual([
      ...Array(3).fill(`access.denied:${reason}`),
      "alarm.raised:lockout",
    ]);
    expect(h.entrance.snapshot().readers.entry?.lockedOut).toBe(true);
  });

  it("a mix of refused credentials counts as one run", async () => {
    h = await start("synced");
    for (const uid of [UIDS.blocked, "0BAD0001", UIDS.expired]) h.sim.control.tap(uid);
    expect(summary(h.events)).toContain("alarm.raised:lockout");
  });

  it("station conditions do not count: refused for unknown time, three times, no lockout", async () => {
    h = await start("unknown");
    for (let i = 0; i < 3; i++) h.sim.control.tap(UIDS.expired);
    expect(summary(h.events).filter((e) => e.startsWith("access."))).toEqual(
      Array(3).fill("access.denied:time-unknown"),
    );
    expect(summary(h.events)).not.toContain("alarm.raised:lockout");
  });
});
