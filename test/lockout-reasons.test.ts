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
const CARDS = [
  worker(UIDS.blocked, { status: "blocked" }),
  worker(UIDS.lost, { status: "lost" }),
  worker(UIDS.expired, { validUntil: WALL - 86_400_000 }),
  worker(UIDS["not-yet-valid"], { validFrom: WALL + 86_400_000 }),
  worker(UIDS["outside-schedule"], { schedule: "dawn" }),
];
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

  it.each(Object.keys(UIDS) as (keyof typeof UIDS)[])(
    "three '%s' refusals lock the reader out",
    async (reason) => {
      h = await start("synced");
      for (let i = 0; i < 3; i++) h.sim.control.tap(UIDS[reason]);
      expect(summary(h.events).filter((e) => e.startsWith("access.") || e.startsWith("alarm."))).toEqual([
        ...Array(3).fill(`access.denied:${reason}`),
        "alarm.raised:lockout",
      ]);
      expect(h.entrance.snapshot().readers.entry?.lockedOut).toBe(true);
    },
  );

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
