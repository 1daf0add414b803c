import { StationError } from "../../config/errors.ts";

/**
 * The APDUs the PC/SC driver sends, and the pure parsing of the answers. The simulated cards
 * answer through the same functions, so both ends agree by construction and by test.
 */

/** PC/SC pseudo-APDU GET DATA: the reader answers with the card's UID (ISO 14443-3 cards). */
export const GET_UID = Uint8Array.from([0xff, 0xca, 0x00, 0x00, 0x00]);

/** China resident ID card: its 8-byte chip serial, readable without the security module. */
export const RESIDENT_ID_SERIAL = Uint8Array.from([0x00, 0x36, 0x00, 0x00, 0x08]);

export const SW_OK = 0x9000;
export const SW_INS_NOT_SUPPORTED = 0x6d00;
export const SW_CLA_NOT_SUPPORTED = 0x6e00;
export const SW_WRONG_LENGTH = 0x6700;

export interface ResponseApdu {
  readonly data: Uint8Array;
  readonly sw: number;
}

export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  /** expected response length; 256 when Le is 00 in a short APDU, undefined when absent */
  readonly le: number | undefined;
}

function unsupported(message: string, details: Record<string, unknown> = {}): StationError {
  return new StationError("READER_UNSUPPORTED_CARD", "reader", message, details);
}

export function parseResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw unsupported(`the card answered ${bytes.length} byte(s), no status word`);
  const n = bytes.length;
  return { data: bytes.subarray(0, n - 2), sw: ((bytes[n - 2] ?? 0) << 8) | (bytes[n - 1] ?? 0) };
}

const hex4 = (sw: number) => sw.toString(16).padStart(4, "0").toUpperCase();

/** The UID from a GET DATA answer: 4, 7 or 10 bytes (ISO 14443-3 single, double, triple size). */
export function parseUid(bytes: Uint8Array): Uint8Array {
  const r = parseResponse(bytes);
  if (r.sw !== SW_OK) throw unsupported(`GET DATA refused with status ${hex4(r.sw)}`, { sw: r.sw });
  if (![4, 7, 10].includes(r.data.length)) {
    throw unsupported(`GET DATA gave a ${r.data.length}-byte UID (4, 7 or 10 expected)`);
  }
  return r.data;
}

/** The 8-byte serial of a resident ID card, or undefined when the card is not one (any refusal). */
export function parseResidentSerial(bytes: Uint8Array): Uint8Array | undefined {
  const r = parseResponse(bytes);
  if (r.sw !== SW_OK) return undefined;
  if (r.data.length !== 8) throw unsupported(`serial query gave ${r.data.length} bytes (8 expected)`);
  return r.data;
}

export function buildResponse(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = (sw >> 8) & 0xff;
  out[data.length + 1] = sw & 0xff;
  return out;
}

/** Parses a short command APDU (cases 1-4); extended length is refused. Never throws. */
export function parseCommand(bytes: Uint8Array): CommandApdu | undefined {
  if (bytes.length < 4) return undefined;
  const [cla = 0, ins = 0, p1 = 0, p2 = 0] = bytes;
  const head = { cla, ins, p1, p2 };
  if (bytes.length === 4) return { ...head, data: new Uint8Array(), le: undefined };
  const b4 = bytes[4] ?? 0;
  if (bytes.length === 5) return { ...head, data: new Uint8Array(), le: b4 === 0 ? 256 : b4 };
  if (b4 === 0) return undefined; // extended length: not spoken by the cards we play
  if (bytes.length === 5 + b4) return { ...head, data: bytes.subarray(5, 5 + b4), le: undefined };
  if (bytes.length === 6 + b4) {
    const le = bytes[5 + b4] ?? 0;
    return { ...head, data: bytes.subarray(5, 5 + b4), le: le === 0 ? 256 : le };
  }
  return undefined;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
