import { StationError } from "../../config/errors.ts";
import { crcValid, withCrc } from "./crc.ts";

/**
 * Modbus RTU frames for the functions the station uses, in both directions: the master encodes
 * requests and decodes responses, the simulated slaves do the reverse with the same code. Pure:
 * bytes in, values or a typed error out. Every frame is address, function, data, CRC-16.
 */
export const FN = {
  readHolding: 0x03,
  readInput: 0x04,
  writeCoil: 0x05,
  writeRegister: 0x06,
  writeRegisters: 0x10,
} as const;

export type ModbusRequest =
  | { readonly fn: 0x03 | 0x04; readonly unit: number; readonly address: number; readonly count: number }
  | { readonly fn: 0x05; readonly unit: number; readonly address: number; readonly on: boolean }
  | { readonly fn: 0x06; readonly unit: number; readonly address: number; readonly value: number }
  | {
      readonly fn: 0x10;
      readonly unit: number;
      readonly address: number;
      readonly values: readonly number[];
    };

export type ModbusResponse =
  | { readonly fn: 0x03 | 0x04; readonly unit: number; readonly values: Uint16Array }
  | { readonly fn: 0x05; readonly unit: number; readonly address: number; readonly on: boolean }
  | { readonly fn: 0x06; readonly unit: number; readonly address: number; readonly value: number }
  | { readonly fn: 0x10; readonly unit: number; readonly address: number; readonly count: number }
  | { readonly fn: "exception"; readonly unit: number; readonly function: number; readonly code: number };

/** Standard exception codes (the reply's function has bit 7 set). */
export const EXCEPTION = {
  illegalFunction: 1,
  illegalAddress: 2,
  illegalValue: 3,
  deviceFailure: 4,
} as const;

/** Most registers one read may ask for (the PDU is at most 253 bytes). */
export const MAX_READ = 125;
export const MAX_WRITE = 123;

function bad(message: string, detail: Record<string, unknown> = {}): StationError {
  return new StationError("MODBUS_BAD_FRAME", "modbus", message, detail);
}

const u16 = (b: Uint8Array, i: number) => (((b[i] as number) << 8) | (b[i + 1] as number)) >>> 0;
const hi = (v: number) => (v >>> 8) & 0xff;
const lo = (v: number) => v & 0xff;

function checkUnit(unit: number): void {
  if (!Number.isInteger(unit) || unit < 0 || unit > 255) throw bad(`unit ${unit} is not 0..255`);
}
function checkWord(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw bad(`${what} ${v} is not 0..65535`);
}

export function encodeRequest(req: ModbusRequest): Uint8Array {
  checkUnit(req.unit);
  checkWord(req.address, "address");
  const a = req.address;
  switch (req.fn) {
    case 0x03:
    case 0x04:
      if (!Number.isInteger(req.count) || req.count < 1 || req.count > MAX_READ)
        throw bad(`count ${req.count} is not 1..${MAX_READ}`);
      return withCrc([req.unit, req.fn, hi(a), lo(a), hi(req.count), lo(req.count)]);
    case 0x05:
      return withCrc([req.unit, 0x05, hi(a), lo(a), req.on ? 0xff : 0x00, 0x00]);
    case 0x06:
      checkWord(req.value, "value");
      return withCrc([req.unit, 0x06, hi(a), lo(a), hi(req.value), lo(req.value)]);
    case 0x10: {
      const n = req.values.length;
      if (n < 1 || n > MAX_WRITE) throw bad(`${n} registers is not 1..${MAX_WRITE}`);
      const body = [req.unit, 0x10, hi(a), lo(a), hi(n), lo(n), n * 2];
      for (const v of req.values) {
        checkWord(v, "value");
        body.push(hi(v), lo(v));
      }
      return withCrc(body);
    }
  }
}

export function encodeResponse(res: ModbusResponse): Uint8Array {
  checkUnit(res.unit);
  switch (res.fn) {
    case "exception":
      return withCrc([res.unit, (res.function | 0x80) & 0xff, res.code & 0xff]);
    case 0x03:
    case 0x04: {
      const body = [res.unit, res.fn, res.values.length * 2];
      for (const v of res.values) body.push(hi(v), lo(v));
      return withCrc(body);
    }
    case 0x05:
      return withCrc([res.unit, 0x05, hi(res.address), lo(res.address), res.on ? 0xff : 0, 0]);
    case 0x06:
      return withCrc([res.unit, 0x06, hi(res.address), lo(res.address), hi(res.value), lo(res.value)]);
    case 0x10:
      return withCrc([res.unit, 0x10, hi(res.address), lo(res.address), hi(res.count), lo(res.count)]);
  }
}

/**
 * How long the request starting at `buf` is, once enough of it has arrived: a number, or
 * undefined for "need more bytes". An unknown function throws (the slave then waits for silence).
 */
export function requestLength(buf: Uint8Array): number | undefined {
  if (buf.length < 2) return undefined;
  const fn = buf[1] as number;
  if (fn === 0x03 || fn === 0x04 || fn === 0x05 || fn === 0x06) return 8;
  if (fn === 0x10) return buf.length < 7 ? undefined : 9 + (buf[6] as number);
  throw bad(`unsupported function 0x${fn.toString(16)}`, { fn });
}

/** How long the response to `req` starting at `buf` is (an exception is shorter), or undefined. */
export function responseLength(buf: Uint8Array, req: Pick<ModbusRequest, "fn">): number | undefined {
  if (buf.length < 2) return undefined;
  const fn = buf[1] as number;
  if (fn & 0x80) return 5;
  if (req.fn === 0x03 || req.fn === 0x04) return buf.length < 3 ? undefined : 5 + (buf[2] as number);
  return 8;
}

export function decodeRequest(frame: Uint8Array): ModbusRequest {
  if (frame.length < 8) throw bad(`request of ${frame.length} bytes is too short`);
  if (!crcValid(frame)) throw new StationError("MODBUS_CRC", "modbus", "request CRC mismatch");
  const unit = frame[0] as number;
  const fn = frame[1] as number;
  const address = u16(frame, 2);
  switch (fn) {
    case 0x03:
    case 0x04: {
      if (frame.length !== 8) throw bad("read request must be 8 bytes");
      const count = u16(frame, 4);
      if (count < 1 || count > MAX_READ) throw bad(`count ${count} is not 1..${MAX_READ}`, { count });
      return { fn, unit, address, count };
    }
    case 0x05: {
      const v = u16(frame, 4);
      if (frame.length !== 8 || (v !== 0xff00 && v !== 0)) throw bad("coil value must be FF00 or 0000");
      return { fn, unit, address, on: v === 0xff00 };
    }
    case 0x06:
      if (frame.length !== 8) throw bad("write request must be 8 bytes");
      return { fn, unit, address, value: u16(frame, 4) };
    case 0x10: {
      const count = u16(frame, 4);
      const bytes = frame[6] as number;
      if (count < 1 || count > MAX_WRITE || bytes !== count * 2 || frame.length !== 9 + bytes)
        throw bad("write-multiple lengths disagree", { count, bytes });
      const values: number[] = [];
      for (let i = 0; i < count; i++) values.push(u16(frame, 7 + 2 * i));
      return { fn, unit, address, values };
    }
    default:
      throw bad(`unsupported function 0x${fn.toString(16)}`, { fn });
  }
}

/**
 * Decodes the answer to `req`. CRC, unit, function and lengths are checked against the request:
 * a frame from another unit or for another question is an error, never a value. An exception
 * reply decodes to `{fn: "exception"}` (the caller turns it into MODBUS_EXCEPTION).
 */
export function decodeResponse(frame: Uint8Array, req: ModbusRequest): ModbusResponse {
  if (frame.length < 5) throw bad(`response of ${frame.length} bytes is too short`);
  if (!crcValid(frame)) throw new StationError("MODBUS_CRC", "modbus", "response CRC mismatch");
  const unit = frame[0] as number;
  const fn = frame[1] as number;
  if (unit !== req.unit) throw bad(`answer from unit ${unit}, asked ${req.unit}`, { unit });
  if (fn === (req.fn | 0x80)) {
    if (frame.length !== 5) throw bad("exception reply must be 5 bytes");
    return { fn: "exception", unit, function: req.fn, code: frame[2] as number };
  }
  if (fn !== req.fn) throw bad(`answer for function ${fn}, asked ${req.fn}`, { fn });
  switch (req.fn) {
    case 0x03:
    case 0x04: {
      const n = frame[2] as number;
      if (n !== req.count * 2 || frame.length !== 5 + n)
        throw bad(`${n} data bytes for ${req.count} registers`);
      const values = new Uint16Array(req.count);
      for (let i = 0; i < req.count; i++) values[i] = u16(frame, 3 + 2 * i);
      return { fn: req.fn, unit, values };
    }
    case 0x05:
    case 0x06:
    case 0x10: {
      if (frame.length !== 8) throw bad("write reply must be 8 bytes");
      const address = u16(frame, 2);
      const v = u16(frame, 4);
      if (address !== req.address) throw bad("write reply echoes another address");
      if (req.fn === 0x05) {
        if (v !== (req.on ? 0xff00 : 0)) throw bad("coil reply echoes another value");
        return { fn: 0x05, unit, address, on: req.on };
      }
      if (req.fn === 0x06) {
        if (v !== req.value) throw bad("write reply echoes another value");
        return { fn: 0x06, unit, address, value: v };
      }
      if (v !== req.values.length) throw bad("write reply echoes another count");
      return { fn: 0x10, unit, address, count: v };
    }
  }
}

/** Bytes on the wire for a request and for its normal answer: the poll budget is made of these. */
export function frameSizes(req: ModbusRequest): { request: number; response: number } {
  switch (req.fn) {
    case 0x03:
    case 0x04:
      return { request: 8, response: 5 + 2 * req.count };
    case 0x10:
      return { request: 9 + 2 * req.values.length, response: 8 };
    default:
      return { request: 8, response: 8 };
  }
}

/** One character at `baud`, 8N1 (start + 8 data + stop = 10 bits), in ms. */
export function charMs(baud: number): number {
  return 10_000 / baud;
}

/** The silence that ends a frame: 3.5 characters, fixed at 1.75 ms above 19200 baud. */
export function interFrameMs(baud: number): number {
  return baud > 19200 ? 1.75 : 3.5 * charMs(baud);
}
