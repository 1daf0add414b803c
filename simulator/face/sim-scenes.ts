import type { RgbImage } from "../../device/face/image-decode.ts";
import { encodePng } from "./image-encode.ts";
import { depthMap, HELD_STEPS, heldPlane, type Mesh, TURN_STEPS, turnHead } from "./motion-scenes.ts";
import { SAMPLE_FACES, type SampleFaceName, sampleFaceImage } from "./sample-faces.ts";
import { SAMPLE_MESHES } from "./sample-meshes.ts";

/** The sample faces the simulator can turn (their mesh is in sample-meshes.ts). */
export const TURNED_FACES = [
  "man.probe",
  "man.probe2",
  "woman-a.probe",
] as const satisfies readonly SampleFaceName[];

/**
 * What the simulated camera can show as a burst (the motion liveness check): a person turning
 * their head slightly (2.5D: their photograph on the mesh model's depths, motion-scenes.ts), or a
 * photo or screen attack held up and moved as the plane it is. Every other name is still: a person
 * standing dead still and a photo held still look the same, which is the point.
 */
export const MOTION_SCENES = {
  "man.turning": { turn: "man.probe" },
  "man2.turning": { turn: "man.probe2" },
  "woman-a.turning": { turn: "woman-a.probe" },
  "screen-attack.moved": { held: "screen-attack" },
  "colour-print-attack.moved": { held: "colour-print-attack" },
  "photo-attack.moved": { held: "photo-attack" },
} as const satisfies Record<string, { turn: (typeof TURNED_FACES)[number] } | { held: SampleFaceName }>;

export type MotionSceneName = keyof typeof MOTION_SCENES;

function meshOf(name: string): Mesh {
  const m = SAMPLE_MESHES[name];
  if (!m) throw new Error(`no mesh for ${name} (npx tsx bench/face-mesh-fixture.ts)`);
  return m.split(";").map((p) => {
    const [x = 0, y = 0, z = 0] = p.split(",").map(Number);
    return [x, y, z] as const;
  });
}

/** The scene's frames as pictures. */
export function sceneImages(name: MotionSceneName): RgbImage[] {
  const s: { turn: string } | { held: SampleFaceName } = MOTION_SCENES[name];
  if ("turn" in s) {
    const img = sampleFaceImage(SAMPLE_FACES[s.turn as SampleFaceName]);
    const depth = depthMap(img.width, img.height, meshOf(s.turn));
    return TURN_STEPS.map((t) => turnHead(img, depth, t.yaw, t.pitch));
  }
  const card = sampleFaceImage(SAMPLE_FACES[s.held]);
  return HELD_STEPS.map((p) => heldPlane(card, p));
}

/** The scene's frames as image files (PNG: lossless, like the still faces). */
export function sceneFiles(name: MotionSceneName): Uint8Array[] {
  return sceneImages(name).map(encodePng);
}
