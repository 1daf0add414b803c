import type { FrameVerdict } from "../../device/face/protocol.ts";

export interface FaceThresholds {
  readonly match: number;
  readonly antispoof: number;
  readonly liveness: number;
  /** mean chroma a face needs (face.camera.colourCue: a property of the camera); 0: not checked */
  readonly colour: number;
  readonly minFaceSize: number;
}

export type FaceDecision =
  | { readonly outcome: "none" }
  | {
      readonly outcome: "match";
      readonly personId: string;
      readonly scores: Scores & { similarity: number; liveness: number; antispoof: number };
    }
  | {
      readonly outcome: "rejected";
      readonly reason: "no-match" | "spoof" | "monochrome" | "not-live" | "too-small";
      readonly personId?: string | undefined;
      readonly scores: Scores;
    };

interface Scores {
  similarity?: number;
  liveness?: number;
  antispoof?: number;
  colour?: number;
}

/**
 * A frame's verdict against the thresholds, pure. The presentation-attack checks come before the
 * match: a photo of an enrolled person must be refused as a spoof, not granted as them.
 */
export function decideFace(v: FrameVerdict, t: FaceThresholds): FaceDecision {
  if (v.faces === 0) return { outcome: "none" };
  const scores = {
    ...(v.similarity !== undefined ? { similarity: round(v.similarity) } : {}),
    ...(v.live !== undefined ? { liveness: round(v.live) } : {}),
    ...(v.real !== undefined ? { antispoof: round(v.real) } : {}),
    ...(v.chroma !== undefined ? { colour: round(v.chroma) } : {}),
  };
  const near = v.similarity !== undefined && v.similarity >= t.match ? v.personId : undefined;
  if ((v.size ?? 0) < t.minFaceSize) return { outcome: "rejected", reason: "too-small", scores };
  if ((v.real ?? 0) < t.antispoof) return { outcome: "rejected", reason: "spoof", personId: near, scores };
  if (t.colour > 0 && (v.chroma ?? 0) < t.colour)
    return { outcome: "rejected", reason: "monochrome", personId: near, scores };
  if ((v.live ?? 0) < t.liveness) return { outcome: "rejected", reason: "not-live", personId: near, scores };
  if (!near || v.similarity === undefined) return { outcome: "rejected", reason: "no-match", scores };
  return {
    outcome: "match",
    personId: near,
    scores: {
      ...scores,
      similarity: round(v.similarity),
      liveness: round(v.live ?? 0),
      antispoof: round(v.real ?? 0),
    },
  };
}

/** Three decimals: enough to tune a threshold, too few to say anything about a face. */
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
