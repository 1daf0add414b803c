import { describe, expect, it } from "vitest";
import { decodePzem, encodePzem } from "./pzem.ts";

describe("PZEM-004T register map", () => {
  it("decodes 32-bit values low word first, with the datasheet's scaling", () => {
    // 230.1 V, 70.000 A (0x00011170 mA), 1234.5 W, 70000 Wh, 50.0 Hz, pf 0.98, alarm
    const regs = Uint16Array.of(2301, 0x1170, 0x0001, 12345, 0, 0x1170, 0x0001, 500, 98, 0xffff);
    expect(decodePzem(regs)).toEqual({
      voltageV: 230.1,
      currentA: 70,
      powerW: 1234.5,
      energyWh: 70000,
      frequencyHz: 50,
      powerFactor: 0.98,
      alarm: true,
    });
  });
  it("encodes what it decodes", () => {
    const r = {
      voltageV: 229.8,
      currentA: 0.512,
      powerW: 117.6,
      energyWh: 42,
      frequencyHz: 49.9,
      powerFactor: 1,
      alarm: false,
    };
    expect(decodePzem(encodePzem(r))).toEqual(r);
  });
});
