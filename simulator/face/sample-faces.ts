import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cropImage, decodeImage, type RgbImage } from "../../device/face/image-decode.ts";
import { packageDir } from "../../device/face/package-dir.ts";
import { encodePng } from "./image-encode.ts";
import { type PhotoAttack, photoAttack } from "./photo-attacks.ts";

/**
 * The faces the simulator can hold up to the camera, cut from the sample images that ship inside
 * the @vladmandic/human npm package (assets/). Nothing is downloaded and no image is kept in this
 * repository. The set is tiny (docs/face.md says what that does and does not show).
 */
export interface SampleFace {
  readonly asset: string;
  readonly box: readonly [number, number, number, number];
  /** how the picture is altered before it is shown (a printed-photo attack, a mirror) */
  readonly alter?: "mirror" | "printed-photo" | PhotoAttack;
}

export const SAMPLE_FACES = {
  /** the package author's face, three different photographs */
  "man.enrol": { asset: "screenshot-facedetect.jpg", box: [8, 345, 150, 150] },
  "man.probe": { asset: "screenshot-facematch.jpg", box: [0, 20, 170, 220] },
  "man.probe2": { asset: "screenshot-faceid.jpg", box: [14, 142, 140, 139] },
  "woman-a.enrol": { asset: "screenshot-facedetect.jpg", box: [163, 345, 150, 150] },
  "woman-a.probe": { asset: "screenshot-facedetect.jpg", box: [163, 345, 150, 150], alter: "mirror" },
  "woman-b.enrol": { asset: "screenshot-facedetect.jpg", box: [320, 345, 150, 150] },
  /** never enrolled (a colour photograph: the sheet's fifth face is greyscale, which the colour cue refuses) */
  stranger: { asset: "screenshot-facedetect.jpg", box: [477, 345, 150, 150] },
  /** the enrolled man's photograph, printed and held up to the camera */
  "photo-attack": { asset: "screenshot-facematch.jpg", box: [0, 20, 170, 220], alter: "printed-photo" },
  /** the same photograph on a phone screen held up to the camera (photo-attacks.ts) */
  "screen-attack": { asset: "screenshot-facematch.jpg", box: [0, 20, 170, 220], alter: "screen-replay" },
  /** the same photograph as a colour print, re-photographed (photo-attacks.ts) */
  "colour-print-attack": {
    asset: "screenshot-facematch.jpg",
    box: [0, 20, 170, 220],
    alter: "colour-print",
  },
} as const satisfies Record<string, SampleFace>;

export type SampleFaceName = keyof typeof SAMPLE_FACES;

const decoded = new Map<string, RgbImage>();

export function sampleAssetPath(asset: string): string {
  return join(packageDir("@vladmandic/human"), "assets", asset);
}

/** The face as RGB, altered as it says. */
export function sampleFaceImage(face: SampleFace): RgbImage {
  let sheet = decoded.get(face.asset);
  if (!sheet) {
    sheet = decodeImage(readFileSync(sampleAssetPath(face.asset)));
    decoded.set(face.asset, sheet);
  }
  const [x, y, w, h] = face.box;
  const img = cropImage(sheet, x, y, w, h);
  if (face.alter === "mirror") return mirror(img);
  if (face.alter === "printed-photo") return printedPhoto(img);
  if (face.alter) return photoAttack(img, face.alter);
  return img;
}

/**
 * The face as an image file. PNG, not JPEG: lossless, so the scores the tests and docs quote are the
 * model's on the picture itself, not on one JPEG encoder's artefacts (which moved anti-spoof
 * scores by up to 0.06 here).
 */
export function sampleFaceFile(face: SampleFace): Uint8Array {
  return encodePng(sampleFaceImage(face));
}

function mirror(img: RgbImage): RgbImage {
  const rgb = new Uint8Array(img.rgb.length);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const from = (y * img.width + x) * 3;
      const to = (y * img.width + (img.width - 1 - x)) * 3;
      rgb[to] = img.rgb[from] ?? 0;
      rgb[to + 1] = img.rgb[from + 1] ?? 0;
      rgb[to + 2] = img.rgb[from + 2] ?? 0;
    }
  }
  return { ...img, rgb };
}

/**
 * What a camera sees of a photograph held up at the door: the print's white border, paper that
 * flattens the contrast, the printer's halftone dots and a glare band across the gloss. Of the
 * variants tried (docs/face.md), this is one the shipped anti-spoof model scores low; a plain
 * grey print scored like a live face, which is why the docs call single-frame anti-spoof weak.
 */
export function printedPhoto(img: RgbImage): RgbImage {
  const border = Math.round(img.width * 0.15);
  const w = img.width + border * 2;
  const h = img.height + border * 2;
  const rgb = new Uint8Array(w * h * 3);
  const contrast = 0.8;
  const lift = 255 * (1 - contrast) * 0.6;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const ix = x - border;
      const iy = y - border;
      if (ix < 0 || iy < 0 || ix >= img.width || iy >= img.height) {
        rgb[o] = 235;
        rgb[o + 1] = 235;
        rgb[o + 2] = 225;
        continue;
      }
      const i = (iy * img.width + ix) * 3;
      const dot = x % 4 < 2 !== y % 4 < 2 ? -12 : 12;
      const glare = Math.max(0, 60 - Math.abs(x - y * 0.6 - w * 0.3) * 2);
      for (let c = 0; c < 3; c++) {
        const v = (img.rgb[i + c] ?? 0) * contrast + lift + dot + glare;
        rgb[o + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width: w, height: h, rgb };
}
