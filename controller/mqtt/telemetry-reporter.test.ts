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
    { now: { ...base, outlets: "phone-1:quarantined" }, changed: ["outlets.state"] },
  ])("$now -> $changed", ({ now, changed }) => {
    expect(changesSince(base, now, 1000)).toEqual(changed);
  });
});
