import type { RgbImage } from "./image-decode.ts";

/**
 * How coloured a face is: the mean chroma, (max(r,g,b) − min(r,g,b)) / 255, over the middle 60 %
 * of its box (skin, eyes and mouth; not hair or background). Skin in daylight or white light
 * measures 0.1–0.33 on the sample faces; a greyscale picture of a face measures 0 before the
 * camera, and a grey print held up to a colour camera only what the light's tint adds.
 *
 * Why this cue: the shipped anti-spoof model scored a plain grey print like a live face
 * (docs/face.md). It is cheap (a few thousand pixels) and needs no model, but it knows nothing of
 * a colour print or a screen, and a camera that switches to monochrome IR at night sees every
 * real face grey: `face.camera.colourCue` 0 turns it off for such a camera.
 */
export function faceChroma(img: RgbImage, box: readonly [number, number, number, number]): number {
  const [bx, by, bw, bh] = box;
  const x0 = clamp(Math.round(bx + bw * 0.2), img.width);
  const x1 = clamp(Math.round(bx + bw * 0.8), img.width);
  const y0 = clamp(Math.round(by + bh * 0.2), img.height);
  const y1 = clamp(Math.round(by + bh * 0.8), img.height);
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const o = (y * img.width + x) * 3;
      const r = img.rgb[o] as number;
      const g = img.rgb[o + 1] as number;
      const b = img.rgb[o + 2] as number;
      sum += Math.max(r, g, b) - Math.min(r, g, b);
      n++;
    }
  }
  return n === 0 ? 0 : sum / n / 255;
}

function clamp(v: number, size: number): number {
  return Math.max(0, Math.min(size, v));
}

/** The picture as a grey print of it would be: luma only (BT.601), for tests and the simulator. */
export function greyscale(img: RgbImage): RgbImage {
  const rgb = new Uint8Array(img.rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    const yv = Math.round(
      0.299 * (img.rgb[i] as number) +
        0.587 * (img.rgb[i + 1] as number) +
        0.114 * (img.rgb[i + 2] as number),
    );
    rgb[i] = yv;
    rgb[i + 1] = yv;
    rgb[i + 2] = yv;
  }
  return { width: img.width, height: img.height, rgb };
}
