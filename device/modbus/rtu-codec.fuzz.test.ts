import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StationError } from "../../config/errors.ts";
import { crcValid, withCrc } from "./crc.ts";
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type ModbusRequest,
  requestLength,
  responseLength,
} from "./rtu-codec.ts";

/** Hostile bytes from the bus must give a typed error or a value, never anything else. */
function typedOrValue(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StationError);
    expect(["MODBUS_CRC", "MODBUS_BAD_FRAME"]).toContain((err as StationError).code);
  }
}

const word = fc.integer({ min: 0, max: 0xffff });
const unit = fc.integer({ min: 1, max: 247 });
const request: fc.Arbitrary<ModbusRequest> = fc.oneof(
  fc.record({
    fn: fc.constantFrom(0x03 as const, 0x04 as const),
    unit,
    address: word,
    count: fc.integer({ min: 1, max: 125 }),
  }),
  fc.record({ fn: fc.constant(0x05 as const), unit, address: word, on: fc.boolean() }),
  fc.record({ fn: fc.constant(0x06 as const), unit, address: word, value: word }),
  fc.record({
    fn: fc.constant(0x10 as const),
    unit,
    address: word,
    values: fc.array(word, { minLength: 1, maxLength: 123 }),
  }),
);
const bytes = fc.uint8Array({ maxLength: 300 });

describe("RTU frame parser under fuzz", () => {
  it("random bytes: a typed error or a value, for every decoder and length probe", () => {
    fc.assert(
      fc.property(bytes, request, (b, req) => {
        typedOrValue(() => decodeRequest(b));
        typedOrValue(() => decodeResponse(b, req));
        typedOrValue(() => requestLength(b));
        const n = responseLength(b, req);
        if (n !== undefined) expect(n).toBeGreaterThanOrEqual(5);
      }),
      { numRuns: 5000 },
    );
  });

  it("random bodies with a valid CRC still never crash the decoders", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 260 }), request, (body, req) => {
        const f = withCrc(body);
        typedOrValue(() => decodeRequest(f));
        typedOrValue(() => decodeResponse(f, req));
      }),
      { numRuns: 5000 },
    );
  });

  it("every request round-trips and every single-bit error is caught", () => {
    fc.assert(
      fc.property(request, fc.nat(), (req, bit) => {
        const f = encodeRequest(req);
        expect(requestLength(f)).toBe(f.length);
        expect(decodeRequest(f)).toEqual(req);
        const broken = f.slice();
        const i = bit % (f.length * 8);
        broken[i >> 3] = (broken[i >> 3] as number) ^ (1 << (i & 7));
        expect(crcValid(broken)).toBe(false);
        let threw = false;
        try {
          decodeRequest(broken);
        } catch (err) {
          threw = err instanceof StationError;
        }
        expect(threw).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("a read answer round-trips through the framer in arbitrary chunks", () => {
    fc.assert(
      fc.property(unit, fc.array(word, { minLength: 1, maxLength: 125 }), fc.nat(), (u, values, cut) => {
        const req: ModbusRequest = { fn: 0x03, unit: u, address: 0, count: values.length };
        const f = encodeResponse({ fn: 0x03, unit: u, values: Uint16Array.from(values) });
        const head = f.subarray(0, Math.min(f.length, 3 + (cut % (f.length - 2))));
        expect(responseLength(head, req)).toBe(f.length);
        const res = decodeResponse(f, req);
        expect(res.fn === 0x03 && [...res.values]).toEqual(values);
      }),
    );
  });
});
