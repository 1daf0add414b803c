import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inAnyWindow, localTime } from "../controller/time/local-time.ts";
import { entranceHarness, harnessConfig, worker } from "./support/entrance-harness.ts";

/**
 * Random lives of a station: taps (known, unknown), pushes, holds, forcing, exit presses, fire
 * alarms and resets, clock jumps and time-source changes. Whatever happens:
 *  - the door is never released longer than the unlock bound unless passage mode or a fire
 *    alarm holds it;
 *  - an active fire alarm always releases it;
 *  - no card UID ever appears in the log output, an event or the state.
 */
const KNOWN = ["04A1B2C3", "04112233445566"];
const UNLOCK_MS = 5000;
const MAX_OPEN_MS = 20_000;
const WATCHDOG_SLACK_MS = 1000;
const PASSAGE = [
  { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const, from: "08:00", to: "09:00" },
];
const TZ = "Asia/Shanghai";
const START = Date.parse("2026-03-02T23:50:00Z"); // 07:50 in Shanghai: ten minutes before the window

type Action =
  | { k: "tap"; uid: string }
  | { k: "push" | "hold" | "release" | "force" | "exit" | "reset" }
  | { k: "fire"; on: boolean }
  | { k: "advance"; ms: number }
  | { k: "wall"; deltaMs: number }
  | { k: "quality"; q: "synced" | "rtc" | "unknown" };

const hex = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString("hex").toUpperCase());

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.oneof(fc.constantFrom(...KNOWN), hex(4), hex(7)).map((uid) => ({ k: "tap" as const, uid })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom("push", "hold", "release", "force", "exit", "reset")
      .map((k) => ({ k }) as Action),
  },
  { weight: 1, arbitrary: fc.boolean().map((on) => ({ k: "fire" as const, on })) },
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 40_000 }).map((ms) => ({ k: "advance" as const, ms })) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: -2 * 3_600_000, max: 2 * 3_600_000 })
      .map((deltaMs) => ({ k: "wall" as const, deltaMs })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom("synced", "rtc", "unknown").map((q) => ({ k: "quality", q }) as Action),
  },
);

const scenario = fc.record({
  lockMode: fc.constantFrom("fail-secure", "fail-safe"),
  relockDelayMs: fc.constantFrom(0, 500),
  fireRevert: fc.constantFrom("on-input-clear", "manual-reset"),
  actions: fc.array(action, { minLength: 1, maxLength: 30 }),
});

describe("door safety under random sequences", () => {
  it("never unlocks beyond the bound, always releases on fire, never leaks a UID", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ lockMode, relockDelayMs, fireRevert, actions }) => {
        const config = harnessConfig(`door:
  lockMode: ${lockMode}
  unlockMs: ${UNLOCK_MS}
  maxOpenMs: ${MAX_OPEN_MS}
  relockDelayMs: ${relockDelayMs}
  heldOpenAlarmMs: 15000
  fire: { revert: ${fireRevert} }
  passage: { windows: ${JSON.stringify(PASSAGE)}, timezone: ${TZ} }
access: { rereadSuppressMs: 0 }
`);
        const h = await entranceHarness({
          config,
          credentials: KNOWN.map((u) => worker(u)),
          wallTime: START,
        });
        const bound = UNLOCK_MS + MAX_OPEN_MS + relockDelayMs + WATCHDOG_SLACK_MS;
        let lastStimulus = 0;
        let lastHeld = 0;
        let fireInput = false;
        const tapped = new Set<string>();
        const violations: string[] = [];

        const check = (after: string) => {
          const now = h.clock.monotonic();
          const released = !h.sim.door.physics().lockEngaged;
          const mode = h.entrance.door.snapshot().mode;
          const inWindow =
            h.sim.timeSource.quality() !== "unknown" &&
            inAnyWindow(PASSAGE, localTime(h.clock.now(), TZ), new Set());
          const fireHolds = mode === "fire" && (fireInput || h.entrance.door.snapshot().fire === "latched");
          const passageHolds = mode === "passage" && inWindow;
          if (fireHolds || passageHolds) lastHeld = now;
          if (fireInput && !released) violations.push(`fire active but lock engaged, after ${after}`);
          if (released && !fireHolds && !passageHolds && now - Math.max(lastStimulus, lastHeld) > bound) {
            violations.push(
              `released ${now - Math.max(lastStimulus, lastHeld)} ms after the last stimulus, after ${after}`,
            );
          }
        };

        try {
          for (const a of actions) {
            const now = h.clock.monotonic();
            switch (a.k) {
              case "tap":
                tapped.add(a.uid);
                lastStimulus = now;
                h.sim.control.tap(a.uid);
                break;
              case "push":
              case "hold":
                lastStimulus = now;
                if (a.k === "push") h.sim.control.pushDoor();
                else h.sim.control.holdDoor();
                break;
              case "release":
                h.sim.control.releaseDoor();
                break;
              case "force":
                h.sim.control.forceDoor();
                break;
              case "exit":
                lastStimulus = now;
                h.sim.control.pressExitButton();
                break;
              case "reset":
                h.entrance.door.resetFire();
                break;
              case "fire":
                fireInput = a.on;
                h.sim.control.setFireAlarm(a.on);
                break;
              case "advance":
                // Small steps, so a violation between two actions is seen.
                for (let t = 0; t < a.ms; t += 250) {
                  h.clock.advance(Math.min(250, a.ms - t));
                  check(`advancing ${a.ms} ms`);
                }
                break;
              case "wall":
                h.clock.setWallTime(h.clock.now() + a.deltaMs);
                break;
              case "quality":
                h.sim.control.setTimeQuality(a.q);
                break;
            }
            check(JSON.stringify(a));
          }
          // Then nothing happens for long enough: every timed unlock must have ended.
          for (let t = 0; t < bound + 2000; t += 250) {
            h.clock.advance(250);
            check("the quiet end");
          }
          const published = [
            ...h.events.map((e) => JSON.stringify(e)),
            JSON.stringify(h.entrance.snapshot()),
          ];
          for (const uid of tapped) {
            for (const text of [...h.logs, ...published]) {
              if (text.includes(uid) || text.includes(uid.toLowerCase()))
                violations.push(`UID ${uid} leaked: ${text.slice(0, 120)}`);
            }
          }
        } finally {
          await h.stop();
        }
        expect(violations.slice(0, 3)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
