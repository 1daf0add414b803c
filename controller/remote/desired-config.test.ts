import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../config/load.ts";
import { stationTimeZone } from "../../config/station-time-zone.ts";
import { overlayDesired } from "./desired-config.ts";
import { restartPaths } from "./live-config.ts";

function file(extra = "") {
  const r = parseConfigText(`station: { id: st-1${extra} }
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: fail-secure }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

describe("the station's time zone in desired config", () => {
  it("station.timezone is settable remotely, and needs a restart", () => {
    const r = overlayDesired(file(), { station: { timezone: "Asia/Urumqi" } });
    expect(r.ok && stationTimeZone(r.config)).toBe("Asia/Urumqi");
    expect(r.ok && restartPaths(r.changes.map((c) => c.path))).toEqual(["station.timezone"]);
  });

  it("the rest of station is not", () => {
    const r = overlayDesired(file(), { station: { id: "st-2", timezone: "Asia/Urumqi" } });
    expect(r.ok ? [] : r.errors).toEqual([
      { path: "station", message: expect.stringContaining("only door, access, station.timezone") },
    ]);
  });

  it("the deprecated access.timezone still applies to a file without station.timezone", () => {
    const r = overlayDesired(file(), { access: { timezone: "Europe/Berlin" } });
    expect(r.ok && stationTimeZone(r.config)).toBe("Europe/Berlin");
  });

  it("one that disagrees with the file's station.timezone is rejected, naming both", () => {
    const r = overlayDesired(file(", timezone: Asia/Shanghai"), { access: { timezone: "Europe/Berlin" } });
    expect(r.ok ? [] : r.errors).toEqual([
      {
        path: "access.timezone",
        message:
          'station.timezone is "Asia/Shanghai" but access.timezone is "Europe/Berlin": a station has one time zone',
      },
    ]);
  });
});
