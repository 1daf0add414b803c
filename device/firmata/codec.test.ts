import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encode, type FirmataMessage, FirmataParser } from "./codec.ts";

const hex = (s: string) =>
  Uint8Array.from(
    s
      .split(/\s+/)
      .filter(Boolean)
      .map((b) => Number.parseInt(b, 16)),
  );

/** Messages written out by hand from the protocol facts. */
const boardSide: { name: string; bytes: string; msg: FirmataMessage }[] = [
  { name: "version query", bytes: "f9", msg: { type: "version-query" } },
  { name: "report analog A0 on", bytes: "c0 01", msg: { type: "report-analog", channel: 0, enable: true } },
  {
    name: "report digital port 1 off",
    bytes: "d1 00",
    msg: { type: "report-digital", port: 1, enable: false },
  },
  { name: "pin 7 mode output", bytes: "f4 07 01", msg: { type: "pin-mode", pin: 7, mode: 1 } },
  { name: "set pin 7 high", bytes: "f5 07 01", msg: { type: "set-pin", pin: 7, value: true } },
  { name: "port 0 = pins 7 and 0", bytes: "90 01 01", msg: { type: "digital-port", port: 0, value: 0x81 } },
  { name: "firmware query", bytes: "f0 79 f7", msg: { type: "sysex", command: 0x79, data: [] } },
  {
    name: "sampling interval 100 ms",
    bytes: "f0 7a 64 00 f7",
    msg: { type: "sysex", command: 0x7a, data: [100, 0] },
  },
  { name: "system reset", bytes: "ff", msg: { type: "reset" } },
];

describe("Firmata codec", () => {
  it.each(boardSide)("board side reads $name", ({ bytes, msg }) => {
    expect(new FirmataParser("board").push(hex(bytes))).toEqual([msg]);
  });

  it.each([
    { name: "version 2.5", bytes: encode.version(2, 5), msg: { type: "version", major: 2, minor: 5 } },
    { name: "A2 = 1023", bytes: encode.analog(2, 1023), msg: { type: "analog", channel: 2, value: 1023 } },
    { name: "A0 = 300", bytes: hex("e0 2c 02"), msg: { type: "analog", channel: 0, value: 300 } },
  ])("host side reads $name", ({ bytes, msg }) => {
    expect(new FirmataParser("host").push(bytes)).toEqual([msg]);
  });

  it("firmware name in 7-bit pairs", () => {
    expect(Array.from(encode.firmware(2, 5, "Ab"))).toEqual([0xf0, 0x79, 2, 5, 0x41, 0, 0x62, 0, 0xf7]);
  });

  it("a status byte abandons a cut message; stray data bytes are dropped", () => {
    const p = new FirmataParser("board");
    const out = p.push(hex("05 06 f4 07 c0 01 f0 79 e0 f5 07 00"));
    expect(out).toEqual([
      { type: "report-analog", channel: 0, enable: true },
      { type: "set-pin", pin: 7, value: false },
    ]);
    expect(p.stats.droppedBytes).toBe(2 + 2 + 2 + 1);
  });
});

describe("Firmata parser under random input", () => {
  const arbMessage = fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 1023 }))
      .map(([c, v]) => encode.analog(c, v)),
    fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 255 }))
      .map(([p, v]) => encode.digitalPort(p, v)),
    fc
      .tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 11 }))
      .map(([p, m]) => encode.pinMode(p, m)),
    fc.constant(encode.firmware(2, 5, "StandardFirmata.ino")),
  );

  it("never throws on noise, and every message sent after a status-free gap comes out whole", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(arbMessage, { minLength: 1, maxLength: 10 }),
        (noise, msgs) => {
          const p = new FirmataParser("host");
          const ref = new FirmataParser("host");
          p.push(noise);
          const expected = msgs.flatMap((m) => ref.push(m));
          // An end-of-sysex closes any sysex the noise left open; nothing else needs flushing.
          const got = [...p.push(Uint8Array.of(0xf7)), ...msgs.flatMap((m) => p.push(m))];
          expect(got.slice(-expected.length)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
