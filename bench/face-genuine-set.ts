import { readFileSync } from "node:fs";
import { cropImage, decodeImage, type RgbImage } from "../device/face/image-decode.ts";
import { SAMPLE_FACES, sampleAssetPath, sampleFaceImage } from "../simulator/face/sample-faces.ts";

/** the extracted-faces panel of screenshot-facematch.jpg, as bench/face-rates-child.ts cuts it */
const PANEL = { rows: [1, 2, 3, 4, 5], cols: 18, pitchY: 110, top: 280, cell: 100 };

/**
 * The "genuine" faces of the face benches: the sample faces (mirrors kept, other alterations
 * not) and the 90 cells of the package's extracted-faces panel. Each is itself a photograph
 * (docs/face.md says what that means for the figures).
 */
export function genuineFaces(): { name: string; img: RgbImage }[] {
  const out: { name: string; img: RgbImage }[] = [];
  for (const [name, f] of Object.entries(SAMPLE_FACES)) {
    if ("alter" in f && f.alter !== "mirror") continue;
    out.push({ name, img: sampleFaceImage(f) });
  }
  const sheet = decodeImage(readFileSync(sampleAssetPath("screenshot-facematch.jpg")));
  for (const r of PANEL.rows)
    for (let c = 0; c < PANEL.cols; c++) {
      const x = Math.round((c * 1920) / PANEL.cols);
      out.push({
        name: `panel ${r}:${c}`,
        img: cropImage(sheet, x, PANEL.top + r * PANEL.pitchY, PANEL.cell, PANEL.cell),
      });
    }
  return out;
}
