import { describe, expect, it } from "vitest";
import { parseConfigText } from "../load.ts";
import { safePowerOutputs } from "./power.ts";

const base = `station: { id: s1 }
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: fail-secure }
mqtt: { url: "mqtt://127.0.0.1:1883" }
`;

describe("power sections", () => {
  it("accept the demo's layout", () => {
    const r = parseConfigText(`${base}modbus: [{ id: rs485, kind: simulated }]
outlets: { list: [{ id: p1, kind: phone, bus: rs485, meterAddress: 1, relay: { pin: 5 } }] }
cabinet: { bus: rs485, address: 10, slots: 6 }
`);
    expect(r.ok).toBe(true);
  });
  it("name an unknown bus, a shared address and a real bus without a path", () => {
    const r = parseConfigText(`${base}modbus: [{ id: rs485, kind: real }]
outlets: { list: [{ id: p1, kind: phone, bus: rs485, meterAddress: 10, relay: { pin: 5 } }, { id: p2, kind: phone, bus: other, meterAddress: 2, relay: { pin: 6 } }] }
cabinet: { bus: rs485, address: 10 }
`);
    expect(r.ok).toBe(false);
    const text = JSON.stringify(r.ok ? [] : r.issues);
    expect(text).toContain("a real bus needs the path");
    expect(text).toContain('no Modbus bus \\"other\\"');
    expect(text).toContain("already used by outlet p1");
  });
  it("take the outlets' opening hours as an access schedule's name or as windows, and refuse an unknown name", () => {
    const outlets = (schedule: string) =>
      `${base}modbus: [{ id: rs485, kind: simulated }]
access: { schedules: { day: [{ from: "08:00", to: "22:00" }] } }
outlets: { schedule: ${schedule}, list: [{ id: p1, kind: phone, bus: rs485, meterAddress: 1, relay: { pin: 5 } }] }
`;
    expect(parseConfigText(outlets("day")).ok).toBe(true);
    expect(parseConfigText(outlets('[{ days: [mon, tue], from: "07:00", to: "23:00" }]')).ok).toBe(true);
    const r = parseConfigText(outlets("night"));
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r.ok ? [] : r.issues)).toContain('no schedule \\"night\\" in access.schedules');
  });
  it("put the smoke detector on the I/O board only when there is one, with fail-safe defaults", () => {
    const smoke = (board: string) =>
      `${base}${board}safety: { smokeDetector: { board: { analog: 1, threshold: 600 } } }
`;
    const without = parseConfigText(smoke(""));
    expect(without.ok).toBe(false);
    expect(JSON.stringify(without.ok ? [] : without.issues)).toContain("occupancy.board is not configured");
    const r = parseConfigText(smoke("occupancy: { board: { port: simulated } }\n"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.safety.smokeDetector).toEqual({
      board: { analog: 1, threshold: 600 },
      activeLow: false,
      debounceMs: 100,
      offlineGraceMs: 5000,
      offline: "cut-power",
    });
    const clash = parseConfigText(
      `${base}occupancy: { board: { port: simulated }, outputs: { lights: { board: 8 } } }\nsafety: { smokeDetector: { board: { pin: 8 } } }\n`,
    );
    expect(JSON.stringify(clash.ok ? [] : clash.issues)).toContain(
      "board pin 8 is already the lights output",
    );
    // a GPIO line is still a GPIO line
    const gpio = parseConfigText(`${base}safety: { smokeDetector: { pin: 23 } }\n`);
    expect(gpio.ok && gpio.config.safety.smokeDetector).toMatchObject({ pin: 23, activeLow: true });
  });
  it("give lock safe every relay that can be read, one entry at a time, and name the rest", () => {
    const r = safePowerOutputs({
      outlets: {
        list: [
          { id: "p1", kind: "phone", maxCurrentA: -1, relay: { pin: 5 } },
          { id: "p2", relay: { pin: 6, activeLow: true } },
          { id: "p3", relay: { pin: "six" } },
          { id: "p4" },
        ],
      },
      safety: { cabinetPowerRelay: { pin: 13 } },
    });
    expect(r.outputs.map((o) => [o.name, o.pin, o.activeLow])).toEqual([
      ["relay:p1", 5, false],
      ["relay:p2", 6, true],
      ["cabinetPowerRelay", 13, false],
    ]);
    expect(r.unreadable).toEqual(["outlets.list[2].relay", "outlets.list[3].relay"]);
    expect(
      safePowerOutputs({ outlets: { list: "p1" }, safety: { cabinetPowerRelay: 13 } }).unreadable,
    ).toEqual(["outlets.list", "safety.cabinetPowerRelay"]);
    expect(safePowerOutputs({})).toEqual({ outputs: [], unreadable: [] });
  });
});
