import { createRequire } from "node:module";
import { StationError } from "../../config/errors.ts";

/** A decoded frame: packed RGB, row-major. Lives only as long as one analysis. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

const require = createRequire(import.meta.url);

/** The largest frame we decode: a camera at 1280x960 is plenty for a face at the door. */
const MAX_PIXELS = 4096 * 4096;

function isJpeg(b: Uint8Array): boolean {
  return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

function isPng(b: Uint8Array): boolean {
  return b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
}

function badImage(detail: string, cause?: unknown): StationError {
  return new StationError("FACE_BAD_IMAGE", "face", `cannot decode the frame: ${detail}`, { cause });
}

/**
 * JPEG or PNG bytes to RGB in plain JS: there is no canvas in Node, and tfjs-node (which decodes
 * natively) needs a download. Hostile bytes give FACE_BAD_IMAGE, never a crash.
 */
export function decodeImage(bytes: Uint8Array): RgbImage {
  if (isJpeg(bytes)) {
    const jpeg = require("jpeg-js") as typeof import("jpeg-js");
    try {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: MAX_PIXELS / 1e6,
        maxMemoryUsageInMB: 256,
      });
      return { width: img.width, height: img.height, rgb: img.data };
    } catch (cause) {
      throw badImage("corrupt JPEG", cause);
    }
  }
  if (isPng(bytes)) {
    const { PNG } = require("pngjs") as typeof import("pngjs");
    let png: { width: number; height: number; data: Uint8Array };
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (cause) {
      throw badImage("corrupt PNG", cause);
    }
    if (png.width * png.height > MAX_PIXELS) throw badImage("too large");
    const rgb = new Uint8Array(png.width * png.height * 3);
    for (let i = 0, o = 0; i < png.data.length; i += 4, o += 3) {
      rgb[o] = png.data[i] ?? 0;
      rgb[o + 1] = png.data[i + 1] ?? 0;
      rgb[o + 2] = png.data[i + 2] ?? 0;
    }
    return { width: png.width, height: png.height, rgb };
  }
  throw badImage("neither JPEG nor PNG");
}

/** A rectangle of an image, clamped to its bounds (the simulator cuts faces out of sample sheets). */
export function cropImage(img: RgbImage, x: number, y: number, w: number, h: number): RgbImage {
  const x0 = Math.max(0, Math.min(img.width - 1, Math.round(x)));
  const y0 = Math.max(0, Math.min(img.height - 1, Math.round(y)));
  const cw = Math.max(1, Math.min(img.width - x0, Math.round(w)));
  const ch = Math.max(1, Math.min(img.height - y0, Math.round(h)));
  const rgb = new Uint8Array(cw * ch * 3);
  for (let row = 0; row < ch; row++) {
    const from = ((y0 + row) * img.width + x0) * 3;
    rgb.set(img.rgb.subarray(from, from + cw * 3), row * cw * 3);
  }
  return { width: cw, height: ch, rgb };
}
