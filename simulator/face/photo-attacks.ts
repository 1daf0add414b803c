import { decodeImage, type RgbImage } from "../../device/face/image-decode.ts";
import { encodeJpeg } from "./image-encode.ts";

/**
 * Colour presentation attacks made from the shipped sample faces: what a door camera would see of
 * a colour photograph or a phone screen held up to it. None of these is a real re-capture (there is
 * no camera here); each imitates the artefacts such a capture adds. docs/face.md gives the models'
 * scores on them, whatever those are.
 *
 * - `screen-replay`: the face on a phone screen filmed again: the screen's own resampling (a
 *   softer picture), the sub-pixel grid beating with the camera's (moiré), a cooler white point and
 *   raised blacks, a glare patch, the phone's black bezel, and a second JPEG compression.
 * - `colour-print`: an inkjet colour print re-photographed: the paper's white border, flattened
 *   contrast and a little lost saturation, a soft blur, faint paper grain, a JPEG compression.
 */
export type PhotoAttack = "screen-replay" | "colour-print";

/** How strong the screen's artefacts are (1: the default; the bench tries others). */
export interface ScreenArtefacts {
  readonly stripe: number;
  readonly moire: number;
  readonly scale: number;
}
export const SCREEN_DEFAULT: ScreenArtefacts = { stripe: 0.05, moire: 0.03, scale: 0.7 };

export function photoAttack(img: RgbImage, kind: PhotoAttack, screen = SCREEN_DEFAULT): RgbImage {
  if (kind === "screen-replay") {
    let out = resample(resample(img, screen.scale), 1 / screen.scale, img.width, img.height);
    out = mapPixels(out, (x, y, c, v) => {
      // the RGB sub-pixel stripes at a pitch of 3, slightly rotated against the camera's rows
      const stripe = (Math.round(x + y * 0.07) % 3 === c ? 1 : 1 - screen.stripe) * (1 + screen.stripe / 2);
      const moire = 1 + screen.moire * Math.sin((2 * Math.PI * (x * 0.93 + y * 0.31)) / 7.3);
      const cool = [0.94, 1, 1.08][c] ?? 1;
      return (24 + v * 0.86) * stripe * moire * cool;
    });
    out = glare(out, 0.7, 0.25, 0.35, 70);
    out = frame(out, Math.round(img.width * 0.08), [12, 12, 14]);
    return recompress(out, 55);
  }
  let out = boxBlur(img, 1);
  out = mapPixels(out, (x, y, c, v, px) => {
    const grey = 0.299 * (px[0] ?? 0) + 0.587 * (px[1] ?? 0) + 0.114 * (px[2] ?? 0);
    const desat = grey + (v - grey) * 0.85;
    const grain = ((x * 7919 + y * 104_729 + c * 31) % 13) - 6;
    return 30 + desat * 0.78 + grain * 0.8;
  });
  out = glare(out, 0.3, 0.2, 0.45, 40);
  out = frame(out, Math.round(img.width * 0.12), [238, 236, 228]);
  return recompress(out, 70);
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** Each channel value through `f` (x, y, channel, value, the pixel's three values). */
function mapPixels(
  img: RgbImage,
  f: (x: number, y: number, c: number, v: number, px: Uint8Array) => number,
): RgbImage {
  const rgb = new Uint8Array(img.rgb.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 3;
      const px = img.rgb.subarray(o, o + 3);
      for (let c = 0; c < 3; c++) rgb[o + c] = clampByte(f(x, y, c, px[c] ?? 0, px));
    }
  }
  return { width: img.width, height: img.height, rgb };
}

/** Bilinear resampling by `scale` (or to the given size). */
function resample(img: RgbImage, scale: number, w?: number, h?: number): RgbImage {
  const width = w ?? Math.max(1, Math.round(img.width * scale));
  const height = h ?? Math.max(1, Math.round(img.height * scale));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, ((y + 0.5) * img.height) / height - 0.5);
    const y0 = Math.max(0, Math.floor(sy));
    const y1 = Math.min(img.height - 1, y0 + 1);
    const fy = Math.max(0, sy - y0);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(img.width - 1, ((x + 0.5) * img.width) / width - 0.5);
      const x0 = Math.max(0, Math.floor(sx));
      const x1 = Math.min(img.width - 1, x0 + 1);
      const fx = Math.max(0, sx - x0);
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => img.rgb[(yy * img.width + xx) * 3 + c] ?? 0;
        const top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
        const bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
        rgb[(y * width + x) * 3 + c] = clampByte(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width, height, rgb };
}

function boxBlur(img: RgbImage, r: number): RgbImage {
  const rgb = new Uint8Array(img.rgb.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            if (xx < 0 || yy < 0 || xx >= img.width || yy >= img.height) continue;
            sum += img.rgb[(yy * img.width + xx) * 3 + c] ?? 0;
            n++;
          }
        }
        rgb[(y * img.width + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return { width: img.width, height: img.height, rgb };
}

/** A soft white highlight centred at (cx, cy) (fractions of the size), `radius` of the width. */
function glare(img: RgbImage, cx: number, cy: number, radius: number, strength: number): RgbImage {
  const r = radius * img.width;
  return mapPixels(img, (x, y, _c, v) => {
    const d = Math.hypot(x - cx * img.width, y - cy * img.height) / r;
    return v + strength * Math.max(0, 1 - d * d);
  });
}

/** The picture inside a border of `colour` (a print's paper, a phone's bezel). */
function frame(img: RgbImage, border: number, colour: readonly [number, number, number]): RgbImage {
  const width = img.width + border * 2;
  const height = img.height + border * 2;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const ix = x - border;
      const iy = y - border;
      const inside = ix >= 0 && iy >= 0 && ix < img.width && iy < img.height;
      for (let c = 0; c < 3; c++)
        rgb[o + c] = inside ? (img.rgb[(iy * img.width + ix) * 3 + c] ?? 0) : (colour[c] ?? 0);
    }
  }
  return { width, height, rgb };
}

/** Through a JPEG encoder and back: the attack's own compression, before the camera's. */
function recompress(img: RgbImage, quality: number): RgbImage {
  return decodeImage(encodeJpeg(img, quality));
}
