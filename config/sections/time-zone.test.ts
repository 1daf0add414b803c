import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStationError } from "../errors.ts";
import { loadConfigFile, parseConfigText } from "../load.ts";
import { stationTimeZone } from "../station-time-zone.ts";

const station = (extra: string, zone = "") => `
station: { id: st-1${zone} }
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: fail-secure }
${extra}
`;

describe("time zones in the station file", () => {
  it.each([
    { at: "station.timezone", text: "", zone: ", timezone: Asia/Shangai", line: 2 },
    { at: "occupancy.welfare.timezone", text: "occupancy:\n  welfare: { timezone: Asia/Shangai }", line: 8 },
    { at: "access.timezone", text: "access: { timezone: Europe/Berln }", line: 7 },
    {
      at: "door.passage.timezone",
      text: "door: { lockMode: fail-secure, passage: { timezone: UTC+8 } }",
      line: 6,
    },
  ])(
    "an unknown zone at $at is refused at load with a typed error, its line and a hint",
    ({ at, text, line, zone }) => {
      const base = station(text, zone).replace(
        at.startsWith("door") ? "door: { lockMode: fail-secure }\n" : "\u0000",
        "",
      );
      const dir = mkdtempSync(join(tmpdir(), "ws-tz-cfg-"));
      const file = join(dir, "station.yaml");
      writeFileSync(file, base);
      let err: unknown;
      try {
        loadConfigFile(file);
      } catch (e) {
        err = e;
      }
      expect(isStationError(err) && err.code).toBe("CONFIG_INVALID");
      const r = parseConfigText(base);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.issues).toEqual([
        {
          path: at,
          message: expect.stringMatching(/^unknown time zone "/),
          hint: expect.stringContaining("IANA zone such as Asia/Shanghai"),
          line,
        },
      ]);
    },
  );

  it.each(["Asia/Shanghai", "Asia/Urumqi", "UTC", "Europe/Berlin"])("accepts %s", (zone) => {
    const r = parseConfigText(station("occupancy: {}", `, timezone: ${zone}`));
    expect(r.ok && stationTimeZone(r.config)).toBe(zone);
  });

  it("defaults to Asia/Shanghai", () => {
    const r = parseConfigText(station("occupancy: {}"));
    expect(r.ok && stationTimeZone(r.config)).toBe("Asia/Shanghai");
  });
});
