import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isStationError } from "../../config/errors.ts";
import { decodeImage } from "./image-decode.ts";
import { parseFaceReply, parseFaceRequest } from "./protocol.ts";

const typedError = (f: () => unknown, code: string) => {
  try {
    f();
  } catch (err) {
    return isStationError(err) && err.code === code;
  }
  return false;
};

describe("face process messages and frames are hostile input", () => {
  it("any malformed request or reply is FACE_BAD_MESSAGE, never a crash", () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        try {
          parseFaceRequest(x);
        } catch (err) {
          expect(isStationError(err, "FACE_BAD_MESSAGE")).toBe(true);
        }
        try {
          parseFaceReply(x);
        } catch (err) {
          expect(isStationError(err, "FACE_BAD_MESSAGE")).toBe(true);
        }
      }),
    );
    expect(
      typedError(
        () => parseFaceRequest({ id: 1, op: "enrol", personId: "x", consent: "c", embedding: [1, 2] }),
        "FACE_BAD_MESSAGE",
      ),
    ).toBe(true);
    expect(parseFaceRequest({ id: 2, op: "forget", personId: "x" })).toEqual({
      id: 2,
      op: "forget",
      personId: "x",
    });
  });

  it("garbage, truncated JPEG and PNG bytes are FACE_BAD_IMAGE", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          decodeImage(b);
        } catch (err) {
          expect(isStationError(err, "FACE_BAD_IMAGE")).toBe(true);
        }
      }),
    );
    expect(
      typedError(
        () => decodeImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3])),
        "FACE_BAD_IMAGE",
      ),
    ).toBe(true);
    expect(
      typedError(
        () => decodeImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0])),
        "FACE_BAD_IMAGE",
      ),
    ).toBe(true);
  });
});
