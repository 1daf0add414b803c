import { z } from "zod";
import { StationError } from "../../config/errors.ts";

/**
 * The face service's IPC messages (Node's IPC channel, structured-clone serialisation so frames
 * travel as bytes). Both sides validate what they receive: a confused or compromised peer gives
 * FACE_BAD_MESSAGE, never a crash. No embedding ever travels towards the station: the station sends
 * frames (or, for a kiosk enrolment, an embedding) and gets back ids and scores.
 */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "bytes");
const personId = z.string().min(1).max(128);

export const FaceRequestSchema = z.discriminatedUnion("op", [
  z.object({
    id: z.number().int(),
    op: z.literal("init"),
    templateKey: z.string(),
    templatesDir: z.string(),
  }),
  z.object({ id: z.number().int(), op: z.literal("identify"), frame: bytes }),
  z.object({ id: z.number().int(), op: z.literal("verify"), frame: bytes, personId }),
  /** the motion liveness check: the first frame again and the burst after it (detect + mesh only) */
  z.object({ id: z.number().int(), op: z.literal("motion"), frame: bytes, burst: z.array(bytes).max(15) }),
  z.object({
    id: z.number().int(),
    op: z.literal("enrol"),
    personId,
    consent: z.string().min(1).max(512),
    frames: z.array(bytes).max(16).optional(),
    embedding: z.array(z.number()).length(1024).optional(),
  }),
  z.object({ id: z.number().int(), op: z.literal("forget"), personId }),
  z.object({ id: z.number().int(), op: z.literal("health") }),
]);
export type FaceRequest = z.output<typeof FaceRequestSchema>;

/** What a burst showed (device/face/liveness): two numbers over the face's size, never landmarks. */
export const MotionEvidenceSchema = z.object({
  motion: z.number(),
  parallax: z.number(),
  /** frames with a face in them, the first included */
  frames: z.number().int(),
  /** frame pairs with enough texture followed to count */
  pairs: z.number().int(),
});
export type MotionEvidence = z.output<typeof MotionEvidenceSchema>;

/** What one frame showed, as the station may see it: scores, never the face. */
export const FrameVerdictSchema = z.object({
  faces: z.number().int().min(0),
  /** best matching person (1:N) or the person asked about (1:1) */
  personId: z.string().optional(),
  similarity: z.number().optional(),
  real: z.number().optional(),
  live: z.number().optional(),
  score: z.number().optional(),
  size: z.number().optional(),
  /** mean chroma of the face (a grey print: about 0) */
  chroma: z.number().optional(),
  /** the burst's motion evidence (the motion op's answer, merged in by the station) */
  motion: z.lazy(() => MotionEvidenceSchema).optional(),
  analyseMs: z.number(),
});
export type FrameVerdict = z.output<typeof FrameVerdictSchema>;

export const FaceHealthSchema = z.object({
  rssMb: z.number(),
  templates: z.number().int(),
  people: z.number().int(),
  tensors: z.number().int(),
  frames: z.number().int(),
  /** template files the store could not read at the last load (wrong key, damaged) */
  unreadable: z.number().int().optional(),
});
export type FaceHealth = z.output<typeof FaceHealthSchema>;

export interface FaceResults {
  init: { templates: number; people: number };
  identify: FrameVerdict;
  verify: FrameVerdict;
  motion: MotionEvidence;
  enrol: { templates: number; real: number[]; live: number[] };
  forget: { removed: boolean };
  health: FaceHealth;
}

export const FaceReplySchema = z.union([
  z.object({ kind: z.literal("ready"), loadMs: z.number(), backend: z.string() }),
  z.object({ kind: z.literal("fatal"), code: z.string(), message: z.string() }),
  z.object({ kind: z.literal("reply"), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({
    kind: z.literal("reply"),
    id: z.number().int(),
    ok: z.literal(false),
    code: z.string(),
    message: z.string(),
  }),
]);
export type FaceReply = z.output<typeof FaceReplySchema>;

export function parseFaceRequest(raw: unknown): FaceRequest {
  const r = FaceRequestSchema.safeParse(raw);
  if (!r.success) throw new StationError("FACE_BAD_MESSAGE", "face", "malformed face service request");
  return r.data;
}

export function parseFaceReply(raw: unknown): FaceReply {
  const r = FaceReplySchema.safeParse(raw);
  if (!r.success) throw new StationError("FACE_BAD_MESSAGE", "face", "malformed face service reply");
  return r.data;
}

/** The result schema per op, so the client checks what the child said before using it. */
export const FACE_RESULT_SCHEMAS = {
  init: z.object({ templates: z.number().int(), people: z.number().int() }),
  identify: FrameVerdictSchema,
  verify: FrameVerdictSchema,
  motion: MotionEvidenceSchema,
  enrol: z.object({ templates: z.number().int(), real: z.array(z.number()), live: z.array(z.number()) }),
  forget: z.object({ removed: z.boolean() }),
  health: FaceHealthSchema,
} satisfies { [K in keyof FaceResults]: z.ZodType<FaceResults[K]> };
