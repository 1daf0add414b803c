import { describe, expect, it } from "vitest";
import { afterCooldown, afterDecision, isLockedOut, type LockoutState, NO_LOCKOUT } from "./lockout.ts";

const CFG = { threshold: 3, cooldownMs: 60_000 };
const fail = { granted: false, counts: true };
const systemRefusal = { granted: false, counts: false };
const grant = { granted: true, counts: false };

describe("reader lockout", () => {
  it.each([
    { name: "two failures do not lock out", seq: [fail, fail], failures: 2, locked: false },
    { name: "the third consecutive failure locks out", seq: [fail, fail, fail], failures: 0, locked: true },
    { name: "a grant resets the count", seq: [fail, fail, grant, fail, fail], failures: 2, locked: false },
    {
      name: "station conditions (capacity, time) do not count",
      seq: [fail, systemRefusal, fail],
      failures: 2,
      locked: false,
    },
  ])("$name", ({ seq, failures, locked }) => {
    let s: LockoutState = NO_LOCKOUT;
    let outcomes: string[] = [];
    for (const d of seq) {
      const r = afterDecision(s, d, 1000, CFG);
      s = r.state;
      outcomes = [...outcomes, r.outcome];
    }
    expect(s.failures).toBe(failures);
    expect(isLockedOut(s, 1000)).toBe(locked);
    expect(outcomes.filter((o) => o === "locked-out").length).toBe(locked ? 1 : 0);
  });

  it("holds for the cool-down, ignores reads meanwhile, then clears", () => {
    let s: LockoutState = NO_LOCKOUT;
    for (const _ of [1, 2, 3]) s = afterDecision(s, fail, 0, CFG).state;
    expect(afterDecision(s, grant, 59_999, CFG).state).toBe(s);
    expect(afterCooldown(s, 59_999).outcome).toBe("none");
    const c = afterCooldown(s, 60_000);
    expect(c.outcome).toBe("cleared");
    expect(isLockedOut(c.state, 60_000)).toBe(false);
  });
});
