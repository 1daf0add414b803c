/**
 * HLK-LD2410 frames, both directions, as pure functions shared by the driver and the simulated
 * module. Facts from ../shared/reference/protocols.md: report frames `F4 F3 F2 F1 … F8 F7 F6 F5`,
 * command and ACK frames `FD FC FB FA … 04 03 02 01`, little-endian lengths and words.
 */

export const REPORT_HEADER = [0xf4, 0xf3, 0xf2, 0xf1] as const;
export const REPORT_FOOTER = [0xf8, 0xf7, 0xf6, 0xf5] as const;
export const COMMAND_HEADER = [0xfd, 0xfc, 0xfb, 0xfa] as const;
export const COMMAND_FOOTER = [0x04, 0x03, 0x02, 0x01] as const;

/** 9 gates of 0.75 m: gate numbers 0..8. */
export const GATE_COUNT = 9;
export const GATE_CM = 75;

export const Command = {
  enableConfig: 0x00ff,
  endConfig: 0x00fe,
  setMaxGatesAndNoOne: 0x0060,
  readParameters: 0x0061,
  engineeringOn: 0x0062,
  engineeringOff: 0x0063,
  setGateSensitivity: 0x0064,
  readFirmware: 0x00a0,
  setBaudRate: 0x00a1,
  factoryReset: 0x00a2,
  restart: 0x00a3,
} as const;
export type CommandWord = (typeof Command)[keyof typeof Command];

/** 0 none, 1 moving, 2 still, 3 both. */
export type TargetState = "none" | "moving" | "still" | "both";
const TARGET_STATES: readonly TargetState[] = ["none", "moving", "still", "both"];

export interface RadarReport {
  readonly engineering: boolean;
  readonly target: TargetState;
  readonly movingCm: number;
  readonly movingEnergy: number;
  readonly stillCm: number;
  readonly stillEnergy: number;
  readonly detectCm: number;
  /** engineering mode only: energy per gate, index = gate */
  readonly movingGates?: readonly number[];
  readonly stillGates?: readonly number[];
}

export interface RadarAck {
  readonly command: number;
  /** 0 = success */
  readonly status: number;
  /** bytes after the status word */
  readonly data: Uint8Array;
}

/** A parsed frame from the module: a report or an ACK; a command when the module side parses. */
export type Ld2410Frame =
  | { readonly kind: "report"; readonly report: RadarReport }
  | { readonly kind: "ack"; readonly ack: RadarAck }
  | { readonly kind: "command"; readonly command: number; readonly value: Uint8Array };

const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const clampByte = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
const clampWord = (v: number) => Math.max(0, Math.min(0xffff, Math.round(v)));

function frame(header: readonly number[], body: readonly number[], footer: readonly number[]): Uint8Array {
  return Uint8Array.from([...header, ...u16(body.length), ...body, ...footer]);
}

/** A report frame as the module sends it (engineering frames carry two trailing extra bytes). */
export function encodeReport(r: RadarReport): Uint8Array {
  const body = [
    r.engineering ? 0x01 : 0x02,
    0xaa,
    TARGET_STATES.indexOf(r.target),
    ...u16(clampWord(r.movingCm)),
    clampByte(r.movingEnergy),
    ...u16(clampWord(r.stillCm)),
    clampByte(r.stillEnergy),
    ...u16(clampWord(r.detectCm)),
  ];
  if (r.engineering) {
    const moving = r.movingGates ?? new Array(GATE_COUNT).fill(0);
    const still = r.stillGates ?? new Array(GATE_COUNT).fill(0);
    body.push(moving.length - 1, still.length - 1, ...moving.map(clampByte), ...still.map(clampByte), 0, 0);
  }
  body.push(0x55, 0x00);
  return frame(REPORT_HEADER, body, REPORT_FOOTER);
}

export function encodeCommand(command: number, value: readonly number[] = []): Uint8Array {
  return frame(COMMAND_HEADER, [...u16(command), ...value], COMMAND_FOOTER);
}

export function encodeAck(command: number, status: number, data: readonly number[] = []): Uint8Array {
  return frame(COMMAND_HEADER, [...u16(command | 0x0100), ...u16(status), ...data], COMMAND_FOOTER);
}

/** The value words of the commands the driver sends. */
export const CommandValue = {
  enableConfig: () => u16(0x0001),
  /** max moving gate, max still gate (2..8), no-one duration in seconds */
  maxGatesAndNoOne: (movingGate: number, stillGate: number, noOneS: number) => [
    ...u16(0x0000),
    ...u32(movingGate),
    ...u16(0x0001),
    ...u32(stillGate),
    ...u16(0x0002),
    ...u32(noOneS),
  ],
  /** gate 0xFFFF sets every gate */
  gateSensitivity: (gate: number, moving: number, still: number) => [
    ...u16(0x0000),
    ...u32(gate),
    ...u16(0x0001),
    ...u32(moving),
    ...u16(0x0002),
    ...u32(still),
  ],
} as const;

/** Decoded values of the `0x0060`/`0x0064` word–dword parameter lists (used by the module side). */
export function decodeParameterList(value: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  for (let i = 0; i + 6 <= value.length; i += 6) out.set(v.getUint16(i, true), v.getUint32(i + 2, true));
  return out;
}

export interface RadarParameters {
  readonly maxGate: number;
  readonly maxMovingGate: number;
  readonly maxStillGate: number;
  readonly movingSensitivity: readonly number[];
  readonly stillSensitivity: readonly number[];
  readonly noOneS: number;
}

/** ACK data of `0x0061` read parameters: `AA`, N, moving N, still N, N+1 + N+1 sensitivities, u16. */
export function encodeParameters(p: RadarParameters): number[] {
  return [
    0xaa,
    p.maxGate,
    p.maxMovingGate,
    p.maxStillGate,
    ...p.movingSensitivity,
    ...p.stillSensitivity,
    ...u16(p.noOneS),
  ];
}

export function decodeParameters(data: Uint8Array): RadarParameters | undefined {
  const n = data[1];
  if (data[0] !== 0xaa || n === undefined || n >= GATE_COUNT) return undefined;
  const need = 4 + 2 * (n + 1) + 2;
  if (data.length < need) return undefined;
  const moving = Array.from(data.subarray(4, 5 + n));
  const still = Array.from(data.subarray(5 + n, 6 + 2 * n));
  const at = 6 + 2 * n;
  return {
    maxGate: n,
    maxMovingGate: data[2] ?? 0,
    maxStillGate: data[3] ?? 0,
    movingSensitivity: moving,
    stillSensitivity: still,
    noOneS: (data[at] ?? 0) | ((data[at + 1] ?? 0) << 8),
  };
}

/** ACK data of `0x00A0`: type u16, major u16, minor u32 → "V1.07.22091615". */
export function encodeFirmware(major: number, minor: number): number[] {
  return [...u16(0x0001), ...u16(major), ...u32(minor)];
}

export function decodeFirmware(data: Uint8Array): string | undefined {
  if (data.length < 8) return undefined;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const major = v.getUint16(2, true);
  const minor = v.getUint32(4, true);
  return `V${major >> 8}.${(major & 0xff).toString().padStart(2, "0")}.${minor.toString(16).padStart(8, "0")}`;
}

/** The body of a report frame (between the length and the footer), or undefined if malformed. */
export function decodeReportBody(b: Uint8Array): RadarReport | undefined {
  const type = b[0];
  if ((type !== 0x01 && type !== 0x02) || b[1] !== 0xaa || b.length < 13) return undefined;
  const target = TARGET_STATES[b[2] ?? 255];
  if (!target) return undefined;
  if (b[b.length - 2] !== 0x55 || b[b.length - 1] !== 0x00) return undefined;
  const w = (i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
  const base = {
    target,
    movingCm: w(3),
    movingEnergy: b[5] ?? 0,
    stillCm: w(6),
    stillEnergy: b[8] ?? 0,
    detectCm: w(9),
  };
  if (type === 0x02) return b.length === 13 ? { engineering: false, ...base } : undefined;
  const mg = b[11];
  const sg = b[12];
  if (mg === undefined || sg === undefined || mg >= GATE_COUNT || sg >= GATE_COUNT) return undefined;
  const gatesEnd = 13 + mg + 1 + sg + 1;
  // Anything between the gates and `55 00` is extra data (light level, OUT pin) we do not use.
  if (gatesEnd > b.length - 2) return undefined;
  return {
    engineering: true,
    ...base,
    movingGates: Array.from(b.subarray(13, 14 + mg)),
    stillGates: Array.from(b.subarray(14 + mg, gatesEnd)),
  };
}

/** A frame longer than this is garbage: the longest real one (engineering) is 35 bytes of data. */
export const MAX_BODY = 64;
