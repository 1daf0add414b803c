import type { ModbusRequest } from "./rtu-codec.ts";

/**
 * PZEM-004T v3.0 AC meter: ten input registers from 0x0000 (function 0x04). 32-bit values are
 * sent low word first. Shared by the outlet driver and the simulated meter.
 */
export interface PzemReading {
  voltageV: number;
  currentA: number;
  powerW: number;
  energyWh: number;
  frequencyHz: number;
  powerFactor: number;
  /** the meter's own power alarm (its threshold register exceeded) */
  alarm: boolean;
}

export const PZEM_REGISTERS = { address: 0x0000, count: 10 } as const;
export const PZEM_HOLDING = { powerAlarmW: 0x0001, address: 0x0002 } as const;
/** The address a lone meter answers to whatever its own address is. */
export const PZEM_GENERAL_ADDRESS = 0xf8;

export function pzemReadRequest(unit: number): ModbusRequest {
  return { fn: 0x04, unit, address: PZEM_REGISTERS.address, count: PZEM_REGISTERS.count };
}

const u32 = (r: Uint16Array, i: number) => ((r[i] as number) + (r[i + 1] as number) * 0x10000) >>> 0;

export function decodePzem(regs: Uint16Array): PzemReading {
  return {
    voltageV: (regs[0] ?? 0) / 10,
    currentA: u32(regs, 1) / 1000,
    powerW: u32(regs, 3) / 10,
    energyWh: u32(regs, 5),
    frequencyHz: (regs[7] ?? 0) / 10,
    powerFactor: (regs[8] ?? 0) / 100,
    alarm: regs[9] === 0xffff,
  };
}

const clampU32 = (v: number) => Math.min(0xffffffff, Math.max(0, Math.round(v)));

export function encodePzem(r: PzemReading): Uint16Array {
  const out = new Uint16Array(10);
  const put32 = (i: number, v: number) => {
    const n = clampU32(v);
    out[i] = n & 0xffff;
    out[i + 1] = n >>> 16;
  };
  out[0] = Math.min(0xffff, Math.round(r.voltageV * 10));
  put32(1, r.currentA * 1000);
  put32(3, r.powerW * 10);
  put32(5, r.energyWh);
  out[7] = Math.min(0xffff, Math.round(r.frequencyHz * 10));
  out[8] = Math.min(100, Math.round(r.powerFactor * 100));
  out[9] = r.alarm ? 0xffff : 0;
  return out;
}
