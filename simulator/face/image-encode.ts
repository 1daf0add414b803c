import { createRequire } from "node:module";
import type { RgbImage } from "../../device/face/image-decode.ts";

const require = createRequire(import.meta.url);

/** RGB to image files, for the simulator's camera and the tests (the station never encodes). */
export function encodePng(img: RgbImage): Uint8Array {
  const { PNG } = require("pngjs") as typeof import("pngjs");
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0, o = 0; i < img.rgb.length; i += 3, o += 4) {
    png.data[o] = img.rgb[i] ?? 0;
    png.data[o + 1] = img.rgb[i + 1] ?? 0;
    png.data[o + 2] = img.rgb[i + 2] ?? 0;
    png.data[o + 3] = 255;
  }
  return PNG.sync.write(png);
}

export function encodeJpeg(img: RgbImage, quality = 90): Uint8Array {
  const jpeg = require("jpeg-js") as typeof import("jpeg-js");
  const rgba = new Uint8Array(img.width * img.height * 4);
  for (let i = 0, o = 0; i < img.rgb.length; i += 3, o += 4) {
    rgba[o] = img.rgb[i] ?? 0;
    rgba[o + 1] = img.rgb[i + 1] ?? 0;
    rgba[o + 2] = img.rgb[i + 2] ?? 0;
    rgba[o + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: img.width, height: img.height }, quality).data;
}
