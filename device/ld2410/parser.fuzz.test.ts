import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeAck, encodeReport, GATE_COUNT, type RadarReport } from "./codec.ts";
import { Ld2410Parser } from "./parser.ts";

/**
 * Random bytes into the parser: it never throws, never buffers without bound, and after any noise
 * a well-formed frame is still found — every real frame sent after the last garbage comes out.
 */
const byte = fc.integer({ min: 0, max: 255 });
const energy = fc.integer({ min: 0, max: 100 });
const arbReport: fc.Arbitrary<RadarReport> = fc
  .record({
    engineering: fc.boolean(),
    target: fc.constantFrom("none", "moving", "still", "both" as const),
    movingCm: fc.integer({ min: 0, max: 900 }),
    movingEnergy: energy,
    stillCm: fc.integer({ min: 0, max: 900 }),
    stillEnergy: energy,
    detectCm: fc.integer({ min: 0, max: 900 }),
    gates: fc.array(energy, { minLength: GATE_COUNT * 2, maxLength: GATE_COUNT * 2 }),
  })
  .map(({ gates, engineering, ...r }) =>
    engineering
      ? { ...r, engineering, movingGates: gates.slice(0, GATE_COUNT), stillGates: gates.slice(GATE_COUNT) }
      : { ...r, engineering },
  );

/** Split a byte array into random chunks. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe("LD2410 parser under random input", () => {
  it("never throws and keeps its buffer bounded on pure noise", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 30 }), (chunks) => {
        const p = new Ld2410Parser("host");
        for (const c of chunks) p.push(c);
        expect(p.pending).toBeLessThanOrEqual(300);
      }),
      { numRuns: 500 },
    );
  });

  it("noise, then frames in any chunking: every frame after the noise comes out, in order", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(arbReport, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (noise, sent, cuts) => {
          const p = new Ld2410Parser("host");
          p.push(noise);
          // A flushing gap: once a frame-long run of non-header bytes passes, any partial false
          // header in the noise has been rejected (the driver gets the same from the inter-frame gap).
          const flush = new Uint8Array(80).fill(0x00);
          const stream = Uint8Array.from([...flush, ...sent.flatMap((r) => Array.from(encodeReport(r)))]);
          const got = chunked(stream, cuts).flatMap((c) => p.push(c));
          const reports = got.flatMap((f) => (f.kind === "report" ? [f.report] : []));
          expect(reports.slice(-sent.length)).toEqual(sent);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("frames with random bytes spliced in: no invented frames, every untouched frame survives", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbReport, fc.array(byte, { maxLength: 8 })), { minLength: 1, maxLength: 8 }),
        (items) => {
          const p = new Ld2410Parser("host");
          const bytes: number[] = [];
          for (const [r, junk] of items) bytes.push(...encodeReport(r), ...junk);
          bytes.push(...encodeAck(0xff, 0, [1, 0, 64, 0]));
          const got = p.push(Uint8Array.from(bytes));
          const reports = got.flatMap((f) => (f.kind === "report" ? [f.report] : []));
          // Junk between frames may not corrupt or hide the frames around it.
          expect(reports).toEqual(items.map(([r]) => r));
          expect(got.at(-1)?.kind).toBe("ack");
        },
      ),
      { numRuns: 400 },
    );
  });
});
