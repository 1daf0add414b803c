import { describe, expect, it } from "vitest";
import { isStationError } from "../../config/errors.ts";
import { crc16, crcValid, withCrc } from "./crc.ts";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  frameSizes,
  type ModbusRequest,
  requestLength,
  responseLength,
} from "./rtu-codec.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("CRC-16", () => {
  it("matches the published vectors (low byte first)", () => {
    expect(hex(withCrc([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]))).toBe("01030000000ac5cd");
    // the PZEM-004T read of its ten input registers, as its datasheet prints it
    expect(hex(withCrc([0x01, 0x04, 0x00, 0x00, 0x00, 0x0a]))).toBe("01040000000a700d");
    expect(crc16(new Uint8Array())).toBe(0xffff);
  });
  it("validates and rejects", () => {
    const f = withCrc([1, 6, 0, 1, 0, 100]);
    expect(crcValid(f)).toBe(true);
    f[3] = (f[3] as number) ^ 1;
    expect(crcValid(f)).toBe(false);
    expect(crcValid(new Uint8Array([1, 2, 3]))).toBe(false);
  });
});

const requests: ModbusRequest[] = [
  { fn: 0x03, unit: 1, address: 0x0001, count: 2 },
  { fn: 0x04, unit: 247, address: 0, count: 10 },
  { fn: 0x05, unit: 3, address: 7, on: true },
  { fn: 0x05, unit: 3, address: 7, on: false },
  { fn: 0x06, unit: 2, address: 0x0002, value: 0xbeef },
  { fn: 0x10, unit: 9, address: 0x0100, values: [1, 2, 0xffff] },
];

describe("requests", () => {
  it.each(requests)("round-trips %o and knows its own length", (req) => {
    const frame = encodeRequest(req);
    expect(requestLength(frame)).toBe(frame.length);
    expect(frame.length).toBe(frameSizes(req).request);
    expect(decodeRequest(frame)).toEqual(req);
  });
  it("refuses what cannot be encoded", () => {
    for (const req of [
      { fn: 0x03, unit: 1, address: 0, count: 126 },
      { fn: 0x03, unit: 1, address: 0, count: 0 },
      { fn: 0x06, unit: 1, address: 0x10000, value: 1 },
      { fn: 0x06, unit: 256, address: 0, value: 1 },
      { fn: 0x10, unit: 1, address: 0, values: [] },
    ] as ModbusRequest[])
      expect(() => encodeRequest(req)).toThrow(expect.objectContaining({ code: "MODBUS_BAD_FRAME" }));
  });
  it("needs more bytes before it can tell a write-multiple's length", () => {
    const f = encodeRequest({ fn: 0x10, unit: 1, address: 0, values: [5, 6] });
    expect(requestLength(f.subarray(0, 6))).toBeUndefined();
    expect(requestLength(f.subarray(0, 7))).toBe(13);
    expect(() => requestLength(new Uint8Array([1, 0x2b]))).toThrow(
      expect.objectContaining({ code: "MODBUS_BAD_FRAME" }),
    );
  });
});

describe("responses", () => {
  const read: ModbusRequest = { fn: 0x04, unit: 1, address: 0, count: 3 };
  it("decodes register values and checks them against the question", () => {
    const f = encodeResponse({ fn: 0x04, unit: 1, values: Uint16Array.of(2301, 0, 0xffff) });
    expect(hex(f).slice(0, 6)).toBe("010406");
    expect(responseLength(f, read)).toBe(f.length);
    expect(frameSizes(read).response).toBe(f.length);
    const res = decodeResponse(f, read);
    expect(res.fn === 0x04 && [...res.values]).toEqual([2301, 0, 0xffff]);
  });
  it("turns an exception reply into an exception, 5 bytes long", () => {
    const f = encodeResponse({ fn: "exception", unit: 1, function: 0x04, code: 2 });
    expect(hex(f).slice(0, 6)).toBe("018402");
    expect(responseLength(f, read)).toBe(5);
    expect(decodeResponse(f, read)).toEqual({ fn: "exception", unit: 1, function: 4, code: 2 });
  });
  it.each([
    [
      "another unit",
      encodeResponse({ fn: 0x04, unit: 2, values: Uint16Array.of(1, 2, 3) }),
      "MODBUS_BAD_FRAME",
    ],
    [
      "another function",
      encodeResponse({ fn: 0x03, unit: 1, values: Uint16Array.of(1, 2, 3) }),
      "MODBUS_BAD_FRAME",
    ],
    [
      "too few registers",
      encodeResponse({ fn: 0x04, unit: 1, values: Uint16Array.of(1, 2) }),
      "MODBUS_BAD_FRAME",
    ],
    [
      "a flipped bit",
      flip(encodeResponse({ fn: 0x04, unit: 1, values: Uint16Array.of(1, 2, 3) }), 5),
      "MODBUS_CRC",
    ],
    ["a stub", new Uint8Array([1, 4]), "MODBUS_BAD_FRAME"],
  ])("rejects %s", (_name, frame, code) => {
    let err: unknown;
    try {
      decodeResponse(frame, read);
    } catch (e) {
      err = e;
    }
    expect(isStationError(err, code as "MODBUS_CRC")).toBe(true);
  });
  it("checks a write's echo", () => {
    const w: ModbusRequest = { fn: 0x06, unit: 1, address: 2, value: 9 };
    expect(decodeResponse(encodeResponse({ fn: 0x06, unit: 1, address: 2, value: 9 }), w)).toMatchObject({
      value: 9,
    });
    expect(() => decodeResponse(encodeResponse({ fn: 0x06, unit: 1, address: 2, value: 8 }), w)).toThrow();
    const m: ModbusRequest = { fn: 0x10, unit: 1, address: 2, values: [1, 2] };
    expect(decodeResponse(encodeResponse({ fn: 0x10, unit: 1, address: 2, count: 2 }), m)).toMatchObject({
      count: 2,
    });
    const c: ModbusRequest = { fn: 0x05, unit: 1, address: 2, on: true };
    expect(decodeResponse(encodeResponse({ fn: 0x05, unit: 1, address: 2, on: true }), c)).toMatchObject({
      on: true,
    });
    expect(() => decodeResponse(encodeResponse({ fn: 0x05, unit: 1, address: 2, on: false }), c)).toThrow();
  });
});

function flip(f: Uint8Array, i: number): Uint8Array {
  const c = f.slice();
  c[i] = (c[i] as number) ^ 0x10;
  return c;
}
