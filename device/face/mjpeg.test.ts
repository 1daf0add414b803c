import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MjpegSplitter } from "./mjpeg.ts";

const jpeg = (body: number[]) => Buffer.from([0xff, 0xd8, ...body, 0xff, 0xd9]);

describe("MJPEG splitter", () => {
  it("cuts frames at SOI..EOI however the stream is chunked, and drops garbage between them", () => {
    const frames = [jpeg([1, 2, 0xff, 0x00, 3]), jpeg([4, 0xff, 0xd0, 5]), jpeg([6])];
    const stream = Buffer.concat([
      Buffer.from([9, 9]),
      frames[0] as Buffer,
      Buffer.from([7]),
      frames[1] as Buffer,
      frames[2] as Buffer,
    ]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 8 }), (cuts) => {
        const got: Buffer[] = [];
        const s = new MjpegSplitter((f) => got.push(f));
        let at = 0;
        for (const c of [...new Set(cuts)].sort((a, b) => a - b)) {
          s.push(stream.subarray(at, c));
          at = c;
        }
        s.push(stream.subarray(at));
        expect(got.map((f) => [...f])).toEqual(frames.map((f) => [...f]));
      }),
    );
  });

  it("a frame that never ends is dropped at the size limit, and the next one still comes", () => {
    const got: Buffer[] = [];
    const s = new MjpegSplitter((f) => got.push(f), 64);
    s.push(Buffer.from([0xff, 0xd8, ...new Array(100).fill(1)]));
    s.push(jpeg([2]));
    expect(got.map((f) => [...f])).toEqual([[...jpeg([2])]]);
    expect(s.dropped).toBeGreaterThan(0);
  });
});
