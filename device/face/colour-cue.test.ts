import { describe, expect, it } from "vitest";
import { faceChroma, greyscale } from "./colour-cue.ts";
import type { RgbImage } from "./image-decode.ts";

/** A 100x100 picture: skin-toned in the middle, a saturated blue frame round it. */
function picture(): RgbImage {
  const rgb = new Uint8Array(100 * 100 * 3);
  for (let y = 0; y < 100; y++) {
    for (let x = 0; x < 100; x++) {
      const o = (y * 100 + x) * 3;
      const inner = x >= 20 && x < 80 && y >= 20 && y < 80;
      rgb.set(inner ? [200, 150, 120] : [0, 0, 255], o);
    }
  }
  return { width: 100, height: 100, rgb };
}

describe("the colour cue", () => {
  it("measures the middle of the face box, not its edges", () => {
    // skin: (200 - 120) / 255; the blue frame (chroma 1) is outside the middle 60 %
    expect(faceChroma(picture(), [0, 0, 100, 100])).toBeCloseTo(80 / 255, 5);
  });

  it("a greyscale of the picture has none; a box off the image measures nothing, not a crash", () => {
    expect(faceChroma(greyscale(picture()), [0, 0, 100, 100])).toBe(0);
    expect(faceChroma(picture(), [500, 500, 50, 50])).toBe(0);
  });
});
