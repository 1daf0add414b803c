import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../config/load.ts";
import { DailyEnergy } from "./fair-use.ts";
import { outletCalendar } from "./outlet-schedule.ts";

/** A station whose zone is Asia/Urumqi (UTC+6), given at `key`; open 22:00–23:59 local time. */
function station(key: string): string {
  const zone = "timezone: Asia/Urumqi";
  const at = (k: string) => (k === key ? zone : "");
  return `station: { id: st-1${key === "station.timezone" ? `, ${zone}` : ""} }
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: fail-secure, passage: { ${at("door.passage.timezone")} } }
access: { ${at("access.timezone")} }
occupancy: { welfare: { ${at("occupancy.welfare.timezone")} } }
modbus: [{ id: rs485, kind: simulated }]
outlets: { schedule: [{ from: "22:00", to: "23:59" }], list: [] }
`;
}

describe("the outlets' opening hours and their fair-use day follow the one station zone", () => {
  // 15:50 UTC is 21:50 in Urumqi and 23:50 in Shanghai; 17:30 UTC is 23:30 in Urumqi (still
  // 2 Dec) and 01:30 on 3 Dec in Shanghai. Read in one zone and the day in another, the two
  // disagree at both instants.
  const before = Date.parse("2026-12-02T15:50:00Z");
  const after = Date.parse("2026-12-02T17:30:00Z");

  it.each(["station.timezone", "access.timezone", "door.passage.timezone", "occupancy.welfare.timezone"])(
    "zone given as %s",
    (key) => {
      const r = parseConfigText(station(key));
      expect(r.ok ? "ok" : r.issues).toBe("ok");
      if (!r.ok) return;
      const { schedule, dayOf } = outletCalendar(r.config);
      expect(schedule.allows(before)).toBe(false); // 21:50 in Urumqi: not yet open
      expect(schedule.allows(after)).toBe(true); // 23:30 in Urumqi: open
      const daily = new DailyEnergy(dayOf);
      daily.add("p1", 500, before);
      // the same local day in Urumqi: the energy of 21:50 still counts at 23:30
      expect(daily.get("p1", after)).toBe(500);
      expect(dayOf(after)).toBe("2026-12-02");
    },
  );
});
