import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStationError } from "../../config/errors.ts";
import {
  buildResponse,
  GET_UID,
  parseCommand,
  parseResidentSerial,
  parseResponse,
  parseUid,
  RESIDENT_ID_SERIAL,
  SW_OK,
} from "./apdu.ts";
import { classifyAtr, storageCardAtr, typeBAtr } from "./atr.ts";
import { departure, noPresentations, sighting } from "./presentation.ts";
import { encodeVpcdFrame, parseReaderMessage, splitVpcdFrames } from "./vpcd-codec.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ""), "hex"));

describe("ATR classification", () => {
  it("reads the MIFARE Classic 1K ATR every PC/SC reader reports", () => {
    const atr = hex("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A");
    expect(classifyAtr(atr)).toEqual({ kind: "storage", standard: 3, cardName: "MIFARE Classic 1K" });
    expect(Buffer.from(storageCardAtr(0x0001)).equals(Buffer.from(atr))).toBe(true);
  });

  it.each([
    { name: "Ultralight", atr: storageCardAtr(0x0003), kind: "storage" },
    {
      name: "a Type B card (the resident ID card)",
      atr: typeBAtr([0, 0, 0, 0], [0, 0x91, 0x81]),
      kind: "processor",
    },
    { name: "a DESFire (ATS historical bytes)", atr: hex("3B 81 80 01 80 80"), kind: "processor" },
    {
      name: "a wrong checksum",
      atr: hex("3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6B"),
      kind: "invalid",
    },
    { name: "a truncated ATR", atr: hex("3B 8F 80 01 80 4F"), kind: "invalid" },
    { name: "garbage", atr: hex("12 34 56"), kind: "invalid" },
    { name: "nothing", atr: new Uint8Array(), kind: "invalid" },
  ])("$name is $kind", ({ atr, kind }) => {
    expect(classifyAtr(atr).kind).toBe(kind);
  });
});

describe("APDUs", () => {
  it.each([
    { name: "a 4-byte UID", resp: "04A1B2C3 9000", uid: "04a1b2c3" },
    { name: "a 7-byte UID", resp: "04C1D2E3F40580 9000", uid: "04c1d2e3f40580" },
    { name: "a 10-byte UID", resp: "00112233445566778899 9000", uid: "00112233445566778899" },
  ])("GET DATA with $name", ({ resp, uid }) => {
    expect(Buffer.from(parseUid(hex(resp))).toString("hex")).toBe(uid);
  });

  it.each([
    { name: "a refusal", resp: "6A81", why: /refused with status 6A81/ },
    { name: "a 3-byte UID", resp: "010203 9000", why: /3-byte UID/ },
    { name: "one byte", resp: "90", why: /no status word/ },
    { name: "nothing", resp: "", why: /no status word/ },
  ])("GET DATA with $name is an unsupported card", ({ resp, why }) => {
    try {
      parseUid(hex(resp));
      expect.unreachable();
    } catch (err) {
      expect(isStationError(err, "READER_UNSUPPORTED_CARD")).toBe(true);
      expect((err as Error).message).toMatch(why);
    }
  });

  it("the resident ID serial: 8 bytes, or undefined when the card is another card", () => {
    expect(Buffer.from(parseResidentSerial(hex("0123456789ABCDEF 9000")) ?? []).toString("hex")).toBe(
      "0123456789abcdef",
    );
    expect(parseResidentSerial(hex("6D00"))).toBeUndefined();
    expect(() => parseResidentSerial(hex("0102 9000"))).toThrow(/8 expected/);
  });

  it("parses the commands the cards are sent", () => {
    expect(parseCommand(GET_UID)).toMatchObject({ cla: 0xff, ins: 0xca, le: 256 });
    expect(parseCommand(RESIDENT_ID_SERIAL)).toMatchObject({ cla: 0x00, ins: 0x36, le: 8 });
    expect(parseCommand(hex("00A40400 02 3F00 00"))).toMatchObject({ ins: 0xa4, le: 256 });
    expect(parseCommand(hex("00A40400 05 3F00"))).toBeUndefined();
    expect(parseCommand(hex("00A4"))).toBeUndefined();
  });

  it("never throws anything but a typed error on any response", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        for (const parse of [parseUid, parseResidentSerial, parseResponse]) {
          try {
            parse(bytes);
          } catch (err) {
            expect(isStationError(err, "READER_UNSUPPORTED_CARD")).toBe(true);
          }
        }
        parseCommand(bytes);
      }),
    );
    expect(parseResponse(buildResponse(hex("AA"), SW_OK))).toEqual({ data: hex("AA"), sw: 0x9000 });
  });
});

describe("vpcd framing", () => {
  it.each([
    { payload: "00", message: "power-off" },
    { payload: "01", message: "power-on" },
    { payload: "02", message: "reset" },
    { payload: "04", message: "get-atr" },
    { payload: "07", message: "unknown-control" },
    { payload: "", message: "empty" },
    { payload: "FFCA000000", message: "apdu" },
  ])("$payload is $message", ({ payload, message }) => {
    expect(parseReaderMessage(hex(payload)).type).toBe(message);
  });

  it("reassembles frames however TCP chunks them", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }),
        (payloads, cuts) => {
          const wire = Buffer.concat(payloads.map((p) => encodeVpcdFrame(p)));
          let rest: Uint8Array = new Uint8Array();
          const got: Uint8Array[] = [];
          let at = 0;
          let i = 0;
          while (at < wire.length) {
            const n = cuts[i++ % cuts.length] ?? 1;
            const r = splitVpcdFrames(rest, wire.subarray(at, at + n));
            got.push(...r.frames);
            rest = r.rest;
            at += n;
          }
          expect(got.map((g) => Buffer.from(g).toString("hex"))).toEqual(
            payloads.map((p) => Buffer.from(p).toString("hex")),
          );
          expect(rest.length).toBe(0);
        },
      ),
    );
  });
});

describe("presentations", () => {
  it.each([
    { name: "first sighting", steps: [["see", "a", 0]], fresh: [true] },
    {
      name: "re-read while it lies there",
      steps: [
        ["see", "a", 0],
        ["see", "a", 800],
        ["see", "a", 1600],
      ],
      fresh: [true, false, false],
    },
    {
      name: "back after repeatMs",
      steps: [
        ["see", "a", 0],
        ["see", "a", 2000],
      ],
      fresh: [true, true],
    },
    {
      name: "another card at once",
      steps: [
        ["see", "a", 0],
        ["see", "b", 10],
      ],
      fresh: [true, true],
    },
    {
      name: "lying 10 s (one card-present), taken away, tapped 1 s later",
      steps: [
        ["see", "a", 0],
        ["gone", "a", 10_000],
        ["see", "a", 11_000],
      ],
      fresh: [true, false],
    },
    {
      name: "lying 10 s, taken away, tapped 3 s later",
      steps: [
        ["see", "a", 0],
        ["gone", "a", 10_000],
        ["see", "a", 13_000],
      ],
      fresh: [true, true],
    },
  ] as const)("$name", ({ steps, fresh }) => {
    let s = noPresentations;
    const out: boolean[] = [];
    for (const [what, card, at] of steps) {
      if (what === "gone") s = departure(s, card, at);
      else {
        const r = sighting(s, card, at, 2000);
        s = r.state;
        out.push(r.fresh);
      }
    }
    expect(out).toEqual(fresh);
  });

  it("forgets cards once their presentation is over (memory stays bounded)", () => {
    let s = noPresentations;
    for (let i = 0; i < 1000; i++) s = sighting(s, `card${i}`, i * 100, 2000).state;
    expect(s.size).toBeLessThanOrEqual(21);
  });
});
