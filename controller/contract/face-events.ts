import { z } from "zod";

/** Scores of the frame a face decision rests on: never an embedding, never an image. */
export const FaceScoresSchema = z
  .object({
    similarity: z
      .number()
      .describe("cosine similarity of the probe to the best template (1:N) or the person's (1:1)"),
    liveness: z.number().min(0).max(1),
    antispoof: z.number().min(0).max(1).describe("the anti-spoof model's 'real' score"),
    colour: z.number().min(0).max(1).optional().describe("mean chroma of the face (a grey print: about 0)"),
    motion: z
      .number()
      .min(0)
      .optional()
      .describe("the burst's landmark motion beyond a shift/rotation/scale, over the face's size"),
    parallax: z
      .number()
      .min(0)
      .optional()
      .describe(
        "what no plane homography explains of that motion, over the face's size (a photo or screen: about 0)",
      ),
  })
  .describe("the scores a face decision rests on; templates and images never leave the face process");

export const FaceRejectReasonSchema = z
  .enum([
    "no-match",
    "spoof",
    "monochrome",
    "not-live",
    "too-small",
    "bad-frame",
    "liveness-motion",
    "liveness-unproven",
  ])
  .describe(
    "why a face was not accepted: no-match (below the match threshold), spoof / monochrome / not-live (presentation attack checks: the anti-spoof model, a face without colour, the liveness model), liveness-motion (across the burst the face moved as a flat picture does: a photo or a screen), liveness-unproven (a matching face that did not move in the burst, face.liveness.motion.onNoMotion deny), too-small (too far away)",
  );

export const faceEvents = {
  "face.rejected": z.object({
    sourceId: z.string(),
    reason: FaceRejectReasonSchema,
    mode: z.enum(["1:N", "1:1"]),
    personId: z
      .string()
      .optional()
      .describe("the enrolled person the face resembled (a spoof of them, or a 1:1 check against them)"),
    scores: FaceScoresSchema.partial().optional(),
  }),
  "face.verified": z
    .object({
      sourceId: z.string(),
      personId: z.string(),
      mode: z.enum(["1:N", "1:1"]),
      scores: FaceScoresSchema,
    })
    .describe(
      "a face matched with live, real scores; a card-plus-face credential may use it within face.verifiedForMs",
    ),
  "face.service-down": z.object({
    detail: z.string(),
    restarts: z.number().int().min(0),
    retryInMs: z.number().int().min(0),
  }),
  "face.service-up": z.object({ loadMs: z.number(), restarts: z.number().int().min(0) }),
  "face.terminal-refused": z
    .object({ refusal: z.string().describe("bad-signature, stale, replay, malformed or too-large") })
    .describe("a report on the face terminals' webhook was refused; it opened nothing"),
  "face.enrolled": z.object({ personId: z.string(), templates: z.number().int(), consent: z.string() }),
  "face.forgotten": z.object({
    personId: z.string(),
    templatesRemoved: z.boolean(),
    credentialsRemoved: z.number().int(),
  }),
} as const;

export const FaceStateSchema = z
  .object({
    status: z.enum(["starting", "up", "down", "stopped"]),
    restarts: z.number().int().min(0),
    pid: z.number().int().optional(),
    rssMb: z.number().optional().describe("resident memory of the face process"),
    templates: z.number().int().optional(),
    people: z.number().int().optional(),
    loadMs: z.number().optional(),
    lastError: z.string().optional(),
    frames: z.object({ analysed: z.number().int(), dropped: z.number().int() }),
  })
  .describe("the face process: health, memory and the size of the template set");
export type FaceState = z.output<typeof FaceStateSchema>;
