import { describe, expect, it } from "vitest";
import { changesSince } from "./telemetry-reporter.ts";

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
