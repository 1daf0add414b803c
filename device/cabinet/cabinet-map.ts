import type { CabinetMap } from "../../config/sections/cabinet.ts";
import { MAX_READ, type ModbusRequest } from "../modbus/rtu-codec.ts";

/**
 * The battery cabinet's registers, decoded through a map from the station file (ours by default,
 * docs/cabinet-modbus.md). Pure; the simulated cabinet encodes through the same map.
 */
export interface CabinetStatus {
  thermal: boolean;
  smoke: boolean;
  mains: boolean;
}

export interface SlotView {
  /** 1-based, as printed on the cabinet */
  slot: number;
  doorClosed: boolean;
  doorLocked: boolean;
  present: boolean;
  charging: boolean;
  /** names of the fault bits set */
  faults: string[];
  batteryId: string;
  socPct: number;
  voltageV: number;
  tempC: number;
}

const isSet = (v: number, b: number) => ((v >>> b) & 1) === 1;

export function decodeStatus(regs: Uint16Array, map: CabinetMap): CabinetStatus {
  const v = regs[0] ?? 0;
  return {
    thermal: isSet(v, map.status.thermalBit),
    smoke: isSet(v, map.status.smokeBit),
    mains: isSet(v, map.status.mainsBit),
  };
}

export function encodeStatus(s: CabinetStatus, map: CabinetMap): Uint16Array {
  const out = new Uint16Array(map.status.count);
  out[0] =
    (s.thermal ? 1 << map.status.thermalBit : 0) |
    (s.smoke ? 1 << map.status.smokeBit : 0) |
    (s.mains ? 1 << map.status.mainsBit : 0);
  return out;
}

function scaled(raw: number, f: { scale: number; signed: boolean }): number {
  const v = f.signed && raw >= 0x8000 ? raw - 0x10000 : raw;
  return Math.round(v * f.scale * 1000) / 1000;
}

function raw(value: number, f: { scale: number; signed: boolean }): number {
  const v = Math.round(value / f.scale);
  return (f.signed && v < 0 ? v + 0x10000 : Math.max(0, v)) & 0xffff;
}

export function decodeSlot(block: Uint16Array, slot: number, map: CabinetMap): SlotView {
  const at = (o: number) => block[o] ?? 0;
  const st = at(map.slotStatus.offset);
  const faultWord = at(map.faults.offset);
  const id = map.batteryId;
  const idNum =
    id.words === 1
      ? at(id.offset)
      : id.highWordFirst
        ? at(id.offset) * 0x10000 + at(id.offset + 1)
        : at(id.offset + 1) * 0x10000 + at(id.offset);
  const present = isSet(st, map.slotStatus.presentBit);
  return {
    slot,
    doorClosed: isSet(st, map.slotStatus.doorClosedBit),
    doorLocked: isSet(st, map.slotStatus.doorLockedBit),
    present,
    charging: isSet(st, map.slotStatus.chargingBit),
    faults: Object.entries(map.faults.bits)
      .filter(([, b]) => isSet(faultWord, b))
      .map(([name]) => name)
      .sort(),
    batteryId: present && idNum !== 0 ? `B${idNum.toString().padStart(8, "0")}` : "",
    socPct: scaled(at(map.soc.offset), map.soc),
    voltageV: scaled(at(map.voltage.offset), map.voltage),
    tempC: scaled(at(map.temperature.offset), map.temperature),
  };
}

export function encodeSlot(s: SlotView, map: CabinetMap): Uint16Array {
  const out = new Uint16Array(map.slots.stride);
  const ss = map.slotStatus;
  out[ss.offset] =
    (s.doorClosed ? 1 << ss.doorClosedBit : 0) |
    (s.doorLocked ? 1 << ss.doorLockedBit : 0) |
    (s.present ? 1 << ss.presentBit : 0) |
    (s.charging ? 1 << ss.chargingBit : 0);
  let f = 0;
  for (const name of s.faults) {
    const b = map.faults.bits[name];
    if (b !== undefined) f |= 1 << b;
  }
  out[map.faults.offset] = f;
  const idNum = s.present ? Number(s.batteryId.replace(/\D/g, "") || 0) : 0;
  const id = map.batteryId;
  if (id.words === 1) out[id.offset] = idNum & 0xffff;
  else {
    const hi = Math.floor(idNum / 0x10000) & 0xffff;
    const lo = idNum & 0xffff;
    out[id.offset] = id.highWordFirst ? hi : lo;
    out[id.offset + 1] = id.highWordFirst ? lo : hi;
  }
  out[map.soc.offset] = raw(s.socPct, map.soc);
  out[map.voltage.offset] = raw(s.voltageV, map.voltage);
  out[map.temperature.offset] = raw(s.tempC, map.temperature);
  return out;
}

export function statusRequest(unit: number, map: CabinetMap): ModbusRequest {
  return { fn: 0x04, unit, address: map.status.address, count: map.status.count };
}

/** Every slot's block, in as few reads as the 125-register limit allows (whole slots per read). */
export function slotRequests(
  unit: number,
  slots: number,
  map: CabinetMap,
): { first: number; req: ModbusRequest }[] {
  const perRead = Math.max(1, Math.floor(MAX_READ / map.slots.stride));
  const out: { first: number; req: ModbusRequest }[] = [];
  for (let first = 1; first <= slots; first += perRead) {
    const n = Math.min(perRead, slots - first + 1);
    out.push({
      first,
      req: {
        fn: 0x04,
        unit,
        address: map.slots.base + (first - 1) * map.slots.stride,
        count: n * map.slots.stride,
      },
    });
  }
  return out;
}

export function decodeSlotBlocks(regs: Uint16Array, first: number, map: CabinetMap): SlotView[] {
  const n = Math.floor(regs.length / map.slots.stride);
  return Array.from({ length: n }, (_, i) =>
    decodeSlot(regs.subarray(i * map.slots.stride, (i + 1) * map.slots.stride), first + i, map),
  );
}

export type SlotCommand = "unlock" | "chargeOn" | "chargeOff";

export function slotCommand(unit: number, slot: number, cmd: SlotCommand, map: CabinetMap): ModbusRequest {
  return { fn: 0x06, unit, address: map.commands.base + slot - 1, value: map.commands[cmd] };
}

export function powerCommand(unit: number, on: boolean, map: CabinetMap): ModbusRequest {
  return { fn: 0x06, unit, address: map.power.address, value: on ? map.power.on : map.power.off };
}
