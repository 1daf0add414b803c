import { describe, expect, it } from "vitest";
import {
  attempt,
  EMPTY_THROTTLE,
  result,
  type ThrottlePolicy,
  type ThrottleState,
} from "./login-throttle.ts";

const p: ThrottlePolicy = {
  maxFailures: 3,
  lockoutMs: 1000,
  failureWindowMs: 5000,
  attemptsPerMinute: 4,
  maxTracked: 3,
};

/** Run a script of attempts: each `[user, addr, ok, at]`; returns the verdicts and effects. */
function run(steps: [string, string, boolean, number][]) {
  let s: ThrottleState = EMPTY_THROTTLE;
  const out: string[] = [];
  for (const [user, addr, ok, now] of steps) {
    const a = attempt(s, user, addr, now, p);
    s = a.state;
    if (!a.verdict.allow) {
      out.push(`${a.verdict.why}:${a.verdict.retryAfterMs}`);
      continue;
    }
    const r = result(s, user, ok, now, p);
    s = r.state;
    out.push(r.effects.length ? `locked-out:${r.effects[0]?.failures}` : ok ? "ok" : "fail");
  }
  return { out, state: s };
}

describe("login throttle", () => {
  it.each([
    {
      name: "three failures lock the name; the fourth try is refused unchecked",
      steps: [
        ["tech", "a", false, 0],
        ["tech", "a", false, 10],
        ["tech", "b", false, 20],
        ["tech", "c", true, 30],
      ],
      expected: ["fail", "fail", "locked-out:3", "locked:990"],
    },
    {
      name: "the lock ends by itself, and counting starts again",
      steps: [
        ["tech", "a", false, 0],
        ["tech", "b", false, 0],
        ["tech", "c", false, 0],
        ["tech", "d", false, 1000],
        ["tech", "d", true, 1001],
      ],
      expected: ["fail", "fail", "locked-out:3", "fail", "ok"],
    },
    {
      name: "a success in between clears the count",
      steps: [
        ["tech", "a", false, 0],
        ["tech", "a", false, 1],
        ["tech", "a", true, 2],
        ["tech", "b", false, 3],
        ["tech", "b", false, 4],
      ],
      expected: ["fail", "fail", "ok", "fail", "fail"],
    },
    {
      name: "failures outside the window are forgotten",
      steps: [
        ["tech", "a", false, 0],
        ["tech", "b", false, 1],
        ["tech", "c", false, 6000],
      ],
      expected: ["fail", "fail", "fail"],
    },
    {
      name: "one address is rate-limited whatever the names",
      steps: [
        ["u1", "a", false, 0],
        ["u2", "a", false, 100],
        ["u3", "a", false, 200],
        ["u4", "a", true, 300],
        ["u5", "a", true, 400],
        ["u5", "b", true, 500],
        ["u5", "a", true, 60_500],
      ],
      // refused attempts count too: hammering keeps an address limited
      expected: ["fail", "fail", "fail", "ok", "rate-limited:59600", "ok", "ok"],
    },
    {
      name: "another name is not locked by the first one's failures",
      steps: [
        ["tech", "a", false, 0],
        ["tech", "b", false, 0],
        ["tech", "c", false, 0],
        ["viewer", "d", true, 1],
      ],
      expected: ["fail", "fail", "locked-out:3", "ok"],
    },
  ] as { name: string; steps: [string, string, boolean, number][]; expected: string[] }[])(
    "$name",
    ({ steps, expected }) => {
      expect(run(steps).out).toEqual(expected);
    },
  );

  it("tracks a bounded number of names and addresses", () => {
    const steps: [string, string, boolean, number][] = [];
    for (let i = 0; i < 10; i++) steps.push([`u${i}`, `a${i}`, false, i]);
    const { state } = run(steps);
    expect(Object.keys(state.names)).toEqual(["u7", "u8", "u9"]);
    expect(Object.keys(state.addrs)).toEqual(["a7", "a8", "a9"]);
  });
});
