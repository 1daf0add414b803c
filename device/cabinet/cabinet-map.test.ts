import { describe, expect, it } from "vitest";
import { cabinetMapSchema, DEFAULT_CABINET_MAP } from "../../config/sections/cabinet.ts";
import {
  decodeSlotBlocks,
  decodeStatus,
  encodeSlot,
  encodeStatus,
  type SlotView,
  slotRequests,
} from "./cabinet-map.ts";

const map = cabinetMapSchema.parse(DEFAULT_CABINET_MAP);
const slot: SlotView = {
  slot: 3,
  doorClosed: true,
  doorLocked: true,
  present: true,
  charging: false,
  faults: ["cell-imbalance", "over-temperature"],
  batteryId: "B00123456",
  socPct: 87,
  voltageV: 52.31,
  tempC: -4.5,
};

describe("cabinet register map", () => {
  it("round-trips a slot through the default map", () => {
    expect(decodeSlotBlocks(encodeSlot(slot, map), 3, map)).toEqual([slot]);
  });
  it("reads a vendor's map: other offsets, low word first, its own fault names", () => {
    const vendor = cabinetMapSchema.parse({
      ...DEFAULT_CABINET_MAP,
      slots: { base: 0x1000, stride: 10 },
      faults: { offset: 9, bits: { "over-temperature": 7, "short-circuit": 3 } },
      batteryId: { offset: 4, words: 2, highWordFirst: false },
      temperature: { offset: 2, scale: 1, signed: true },
      soc: { offset: 3, scale: 0.5, signed: false },
    });
    const block = new Uint16Array(10);
    block[0] = 0b0111;
    block[9] = 1 << 7;
    block[4] = 0xe240; // 123456 = 0x0001_E240, low word first
    block[5] = 0x0001;
    block[2] = 0xfffb; // -5 °C
    block[3] = 160; // 80 %
    const [v] = decodeSlotBlocks(block, 1, vendor);
    expect(v).toMatchObject({
      present: true,
      faults: ["over-temperature"],
      batteryId: "B00123456",
      tempC: -5,
      socPct: 80,
    });
  });
  it("decodes the alarm bits", () => {
    expect(decodeStatus(encodeStatus({ thermal: true, smoke: false, mains: true }, map), map)).toEqual({
      thermal: true,
      smoke: false,
      mains: true,
    });
  });
  it("reads 12 slots in one request, 24 in two", () => {
    expect(slotRequests(10, 12, map).map((r) => [r.first, r.req.fn === 0x04 && r.req.count])).toEqual([
      [1, 96],
    ]);
    expect(slotRequests(10, 24, map).map((r) => r.first)).toEqual([1, 16]);
  });
});
