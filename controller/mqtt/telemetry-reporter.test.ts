import { describe, expect, it } from "vitest";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import type { Telemetry } from "../contract/telemetry.ts";
import { changesSince, TelemetryReporter, type TelemetrySample } from "./telemetry-reporter.ts";

const base = { health: "ok", dropped: 0, connected: true, backlog: 100 };

describe("report by exception", () => {
  it.each([
    { now: base, changed: [] },
    { now: { ...base, backlog: 1099 }, changed: [] },
    { now: { ...base, backlog: 1100 }, changed: ["journal.backlog"] },
    { now: { ...base, health: "warning" }, changed: ["journal.health"] },
    { now: { ...base, dropped: 1 }, changed: ["journal.dropped"] },
    {
      now: { ...base, connected: false, health: "unwritable" },
      changed: ["journal.health", "link.connected"],
    },
    { now: { ...base, keys: { "outlets.state": "phone-1:quarantined" } }, changed: ["outlets.state"] },
  ])("$now -> $changed", ({ now, changed }) => {
    expect(changesSince(base, now, 1000)).toEqual(changed);
  });

  it.each<{ last: Record<string, string>; now: Record<string, string>; changed: string[] }>([
    { last: { "outlets.state": "a:idle" }, now: { "outlets.state": "a:idle" }, changed: [] },
    {
      last: { "outlets.state": "a:idle" },
      now: { "outlets.state": "a:charging" },
      changed: ["outlets.state"],
    },
    { last: {}, now: { "cabinet.state": "ok" }, changed: ["cabinet.state"] },
    {
      last: { "x.state": "1", "a.state": "1" },
      now: { "x.state": "2", "a.state": "2" },
      changed: ["a.state", "x.state"],
    },
  ])("a subsystem's watch keys $last -> $now: $changed", ({ last, now, changed }) => {
    expect(changesSince({ ...base, keys: last }, { ...base, keys: now }, 1000)).toEqual(changed);
  });
});

describe("the heartbeat", () => {
  it("says what changed since the last report when it comes before the poll that would have", () => {
    const clock = new ManualClock();
    let state = "a:idle";
    const sent: Telemetry[] = [];
    const sample = (): TelemetrySample => ({
      journal: { health: "ok", backlog: 0, bytes: 0, usedRatio: 0, dropped: 0, lastSeq: 0, durableSeq: 0 },
      link: {
        connected: true,
        broker: "b",
        protocolVersion: 5,
        reconnects: 0,
        inFlight: 0,
        published: 0,
        droppedOversize: 0,
      },
      parts: { fields: {}, watch: { "outlets.state": state } },
    });
    const r = new TelemetryReporter(
      { heartbeatS: 1, minIntervalMs: 600, backlogStep: 1000 },
      { stationId: "s", bootId: "b" },
      sample,
      (t) => sent.push(t) > 0,
      clock,
    );
    r.start();
    r.beat();
    clock.advance(700); // a poll: nothing changed
    state = "a:charging";
    clock.advance(300); // the heartbeat, before the next poll
    r.stop();
    expect(sent.map((t) => [t.reason, t.changed])).toEqual([
      ["heartbeat", []],
      ["heartbeat", ["outlets.state"]],
    ]);
  });
});
