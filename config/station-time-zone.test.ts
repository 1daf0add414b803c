import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStationError } from "./errors.ts";
import { loadConfigFile, parseConfigText } from "./load.ts";
import { deprecatedSettings, stationTimeZone } from "./station-time-zone.ts";

/** A station file with the zone settings given as `zones` (dotted key → zone). */
function station(zones: Partial<Record<string, string>>): string {
  const z = (key: string) => (zones[key] === undefined ? "" : `timezone: ${zones[key]}`);
  return `station: { id: st-1${zones["station.timezone"] ? `, ${z("station.timezone")}` : ""} }
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door:
  lockMode: fail-secure
  passage: { ${z("door.passage.timezone")} }
access: { ${z("access.timezone")} }
occupancy:
  welfare: { ${z("occupancy.welfare.timezone")} }
`;
}

describe("one station time zone (station.timezone)", () => {
  it.each([
    { given: {}, zone: "Asia/Shanghai", deprecated: [] },
    { given: { "station.timezone": "Asia/Urumqi" }, zone: "Asia/Urumqi", deprecated: [] },
    { given: { "access.timezone": "Asia/Urumqi" }, zone: "Asia/Urumqi", deprecated: ["access.timezone"] },
    {
      given: { "door.passage.timezone": "Asia/Urumqi" },
      zone: "Asia/Urumqi",
      deprecated: ["door.passage.timezone"],
    },
    {
      given: { "occupancy.welfare.timezone": "Europe/Berlin" },
      zone: "Europe/Berlin",
      deprecated: ["occupancy.welfare.timezone"],
    },
    {
      given: { "station.timezone": "Asia/Urumqi", "access.timezone": "Asia/Urumqi" },
      zone: "Asia/Urumqi",
      deprecated: ["access.timezone"],
    },
    {
      given: {
        "access.timezone": "UTC",
        "door.passage.timezone": "UTC",
        "occupancy.welfare.timezone": "UTC",
      },
      zone: "UTC",
      deprecated: ["access.timezone", "door.passage.timezone", "occupancy.welfare.timezone"],
    },
  ])("$given → $zone, deprecated: $deprecated", ({ given, zone, deprecated }) => {
    const r = parseConfigText(station(given));
    expect(r.ok ? "ok" : r.issues).toBe("ok");
    if (!r.ok) return;
    expect(stationTimeZone(r.config)).toBe(zone);
    const warned = deprecatedSettings(r.config);
    expect(warned.map((w) => w.setting)).toEqual(deprecated);
    for (const w of warned) expect(w.detail).toContain(`read as station.timezone ("${zone}")`);
  });

  it.each([
    {
      given: { "station.timezone": "Asia/Shanghai", "access.timezone": "Asia/Urumqi" },
      conflicts: [{ path: "access.timezone", names: ["station.timezone", "access.timezone"], line: 8 }],
    },
    {
      given: { "station.timezone": "Asia/Shanghai", "door.passage.timezone": "UTC" },
      conflicts: [
        { path: "door.passage.timezone", names: ["station.timezone", "door.passage.timezone"], line: 7 },
      ],
    },
    {
      given: { "access.timezone": "Asia/Urumqi", "occupancy.welfare.timezone": "Asia/Shanghai" },
      conflicts: [
        {
          path: "occupancy.welfare.timezone",
          names: ["access.timezone", "occupancy.welfare.timezone"],
          line: 10,
        },
      ],
    },
    {
      given: {
        "station.timezone": "UTC",
        "access.timezone": "UTC",
        "door.passage.timezone": "Asia/Urumqi",
        "occupancy.welfare.timezone": "Europe/Berlin",
      },
      conflicts: [
        { path: "door.passage.timezone", names: ["station.timezone", "door.passage.timezone"], line: 7 },
        {
          path: "occupancy.welfare.timezone",
          names: ["station.timezone", "occupancy.welfare.timezone"],
          line: 10,
        },
      ],
    },
  ])("zones that disagree are refused, naming both: $given", ({ given, conflicts }) => {
    const text = station(given);
    const r = parseConfigText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      conflicts.map((c) => ({
        path: c.path,
        code: "TIMEZONE_CONFLICT",
        line: c.line,
        message: expect.stringMatching(new RegExp(`^${c.names[0]} is ".+" but ${c.names[1]} is ".+"`)),
        hint: expect.stringContaining("station.timezone"),
      })),
    );
    // the same, typed, from the loader
    const file = join(mkdtempSync(join(tmpdir(), "ws-tz-")), "station.yaml");
    writeFileSync(file, text);
    let err: unknown;
    try {
      loadConfigFile(file);
    } catch (e) {
      err = e;
    }
    expect(isStationError(err, "CONFIG_INVALID")).toBe(true);
    expect(isStationError(err) && err.details.issues).toEqual(r.issues);
  });

  it("an unknown zone is refused as unknown, not also as a conflict", () => {
    const r = parseConfigText(
      station({ "station.timezone": "Asia/Shanghai", "access.timezone": "Asia/Shangai" }),
    );
    expect(!r.ok && r.issues.map((i) => [i.path, i.code, i.message])).toEqual([
      ["access.timezone", undefined, 'unknown time zone "Asia/Shangai"'],
    ]);
  });
});
