import type { FrameVerdict } from "../../device/face/protocol.ts";

export interface FaceThresholds {
  readonly match: number;
  readonly antispoof: number;
  readonly liveness: number;
  /** mean chroma a face needs (face.camera.colourCue: a property of the camera); 0: not checked */
  readonly colour: number;
  readonly minFaceSize: number;
  /** the burst check (face.liveness.motion); absent or disabled: single frames only */
  readonly motion?: MotionThresholds | undefined;
}

export interface MotionThresholds {
  readonly enabled: boolean;
  readonly minMotion: number;
  readonly minParallax: number;
  readonly minRatio: number;
  readonly onNoMotion: "deny" | "allow";
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
      readonly reason:
        | "no-match"
        | "spoof"
        | "monochrome"
        | "not-live"
        | "too-small"
        | "liveness-motion"
        | "liveness-unproven";
      readonly personId?: string | undefined;
      readonly scores: Scores;
    };

interface Scores {
  similarity?: number;
  liveness?: number;
  antispoof?: number;
  colour?: number;
  motion?: number;
  parallax?: number;
}

/** What the burst says (device/face/liveness/parallax.ts): live, a plane, or nothing. */
export function motionVerdict(
  m: NonNullable<FrameVerdict["motion"]> | undefined,
  t: MotionThresholds,
): "live" | "planar" | "no-motion" {
  if (!m || m.pairs === 0 || m.motion < t.minMotion) return "no-motion";
  return m.parallax >= t.minParallax && m.parallax >= t.minRatio * m.motion ? "live" : "planar";
}

/**
 * A frame's verdict against the thresholds, pure. The presentation-attack checks come before the
 * match: a photo of an enrolled person must be refused as a spoof, not granted as them. Of them the
 * burst's geometry comes first (a face that moved as a plane: liveness-motion, the one check here
 * with measured power against colour photos and screens), then the single-frame models; a face
 * that did not move at all proves nothing either way, so it is refused (liveness-unproven, when
 * onNoMotion is deny) only where it would otherwise have been let in: after the match.
 */
export function decideFace(v: FrameVerdict, t: FaceThresholds): FaceDecision {
  if (v.faces === 0) return { outcome: "none" };
  const scores = {
    ...(v.similarity !== undefined ? { similarity: round(v.similarity) } : {}),
    ...(v.live !== undefined ? { liveness: round(v.live) } : {}),
    ...(v.real !== undefined ? { antispoof: round(v.real) } : {}),
    ...(v.chroma !== undefined ? { colour: round(v.chroma) } : {}),
    ...(v.motion ? { motion: round(v.motion.motion), parallax: round(v.motion.parallax) } : {}),
  };
  const m = t.motion?.enabled ? motionVerdict(v.motion, t.motion) : "live";
  const near = v.similarity !== undefined && v.similarity >= t.match ? v.personId : undefined;
  if ((v.size ?? 0) < t.minFaceSize) return { outcome: "rejected", reason: "too-small", scores };
  if (m === "planar") return { outcome: "rejected", reason: "liveness-motion", personId: near, scores };
  if ((v.real ?? 0) < t.antispoof) return { outcome: "rejected", reason: "spoof", personId: near, scores };
  if (t.colour > 0 && (v.chroma ?? 0) < t.colour)
    return { outcome: "rejected", reason: "monochrome", personId: near, scores };
  if ((v.live ?? 0) < t.liveness) return { outcome: "rejected", reason: "not-live", personId: near, scores };
  if (!near || v.similarity === undefined) return { outcome: "rejected", reason: "no-match", scores };
  if (m === "no-motion" && t.motion?.onNoMotion !== "allow")
    return { outcome: "rejected", reason: "liveness-unproven", personId: near, scores };
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
