import { describe, expect, it } from "vitest";
import { createIdentifierHasher, parseHexIdentifier } from "./hasher.ts";

const KEY = "11".repeat(32);

describe("identifier hashing", () => {
  it("is a keyed HMAC: same input and key give the same 64-hex id, another key another id", () => {
    const uid = parseHexIdentifier("04A1B2C3") ?? new Uint8Array();
    const a = createIdentifierHasher(KEY)("card-uid", uid);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(createIdentifierHasher(KEY)("card-uid", uid)).toBe(a);
    expect(createIdentifierHasher("22".repeat(32))("card-uid", uid)).not.toBe(a);
    expect(a).not.toContain("04a1b2c3");
  });

  it("separates kinds, so a Wiegand number never collides with a card UID", () => {
    const h = createIdentifierHasher(KEY);
    const raw = Uint8Array.from([1, 2, 3, 4]);
    expect(h("card-uid", raw)).not.toBe(h("wiegand", raw));
  });

  it.each([
    ["04A1B2C3", "04a1b2c3"],
    ["04:a1:b2:c3", "04a1b2c3"],
    ["04 A1 B2 C3 D4 E5 F6", "04a1b2c3d4e5f6"],
  ])("parses %s", (text, hex) => {
    expect(Buffer.from(parseHexIdentifier(text) ?? []).toString("hex")).toBe(hex);
  });

  it.each(["", "0", "xyz1", "04A1B2C"])("refuses %j", (text) => {
    expect(parseHexIdentifier(text)).toBeUndefined();
  });
});
