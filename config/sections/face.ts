import { z } from "zod";

/**
 * Face verification: `face` in the station file; absent = no face module. The models run in
 * their own supervised process; templates stay on the station, encrypted (docs/face.md).
 */
export const faceSchema = z
  .object({
    camera: z
      .object({
        driver: z
          .enum(["rpicam", "v4l2"])
          .default("rpicam")
          .describe(
            "rpicam: a CSI camera through rpicam-vid's MJPEG stream (libcamera); v4l2: a USB camera through ffmpeg",
          ),
        device: z.string().default("/dev/video0").describe("V4L2 device (driver v4l2 only)"),
        width: z.number().int().min(160).max(1920).default(640),
        height: z.number().int().min(120).max(1080).default(480),
        fps: z.number().min(0.5).max(15).default(3).describe("frames offered to the face process per second"),
        colourCue: z
          .number()
          .min(0)
          .max(1)
          .default(0.04)
          .describe(
            "mean chroma a face needs on this camera (a grey print has about none; it does not stop a colour print or a screen); 0 turns the cue off, as a monochrome or IR camera, or one that switches to IR at night, needs",
          ),
      })
      .strict()
      .prefault({}),
    templatesDir: z
      .string()
      .min(1)
      .default("face-templates")
      .describe(
        "directory of the encrypted templates, one file per person; a relative path is inside dataDir",
      ),
    thresholds: z
      .object({
        match: z
          .number()
          .min(0)
          .max(1)
          .default(0.7)
          .describe(
            "cosine similarity a probe needs to match a template (higher: fewer false accepts, more false rejects)",
          ),
        antispoof: z
          .number()
          .min(0)
          .max(1)
          .default(0.42)
          .describe("anti-spoof 'real' score a face needs (a printed or displayed face scores low)"),
        liveness: z.number().min(0).max(1).default(0.5).describe("liveness score a face needs"),
        minFaceSize: z
          .number()
          .int()
          .min(32)
          .default(96)
          .describe("pixels: a smaller face (too far from the camera) is not judged"),
      })
      .strict()
      .prefault({}),
    liveness: z
      .object({
        motion: z
          .object({
            enabled: z
              .boolean()
              .default(true)
              .describe(
                "judge a burst of frames, not one: a flat photo or screen moves by one homography, a turning head does not (docs/face.md)",
              ),
            frames: z
              .number()
              .int()
              .min(2)
              .max(8)
              .default(4)
              .describe("frames in a burst, the first included"),
            intervalMs: z
              .number()
              .int()
              .min(50)
              .max(2000)
              .default(250)
              .describe(
                "time between the burst's frames (a streaming camera's frames closer than this are skipped)",
              ),
            minMotion: z
              .number()
              .min(0)
              .max(1)
              .default(0.015)
              .describe(
                "landmark motion beyond a shift/rotation/scale, over the face's size, a burst needs to say anything; less is 'no evidence'",
              ),
            minParallax: z
              .number()
              .min(0)
              .max(1)
              .default(0.02)
              .describe(
                "coherent homography residual over the face's size a live face needs (a plane: about 0; docs/face.md has the measured trade-off)",
              ),
            minRatio: z
              .number()
              .min(0)
              .max(1)
              .default(0.25)
              .describe(
                "parallax / motion a live face needs: a plane's residual (tracking error) grows with how far it is tilted, a head's parallax with how far it turns",
              ),
            onNoMotion: z
              .enum(["deny", "allow"])
              .default("deny")
              .describe(
                "a face that did not move in the burst (a person standing dead still, or a photo held still): deny (face.rejected liveness-unproven) or allow on the single-frame checks alone, as before this check existed",
              ),
            burstTimeoutMs: z
              .number()
              .int()
              .min(200)
              .default(4000)
              .describe("a burst not complete in this time is judged on the frames it has"),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    verifiedForMs: z
      .number()
      .int()
      .min(1000)
      .default(10_000)
      .describe("how long a face match counts as the second factor of a card-plus-face credential"),
    service: z
      .object({
        loadTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(120_000)
          .describe("time allowed to start and load the models"),
        frameTimeoutMs: z
          .number()
          .int()
          .min(200)
          .default(10_000)
          .describe(
            "a frame not answered in this time counts as a hung face process: it is killed and restarted",
          ),
        healthIntervalMs: z
          .number()
          .int()
          .min(200)
          .default(5000)
          .describe("how often the face process is asked for its health"),
        restartInitialMs: z
          .number()
          .int()
          .min(10)
          .default(500)
          .describe("first restart delay; it doubles per failure"),
        restartMaxMs: z.number().int().min(100).default(60_000).describe("longest restart delay"),
      })
      .strict()
      .prefault({}),
    webhook: z
      .object({
        enabled: z.boolean().default(false),
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(8091),
        toleranceS: z
          .number()
          .int()
          .min(1)
          .max(600)
          .default(30)
          .describe(
            "a terminal's timestamp may differ from ours by this much; older or replayed reports are refused",
          ),
      })
      .strict()
      .prefault({})
      .describe("external face terminals that match on their own and report a person id (HMAC-signed)"),
  })
  .strict();

export type FaceConfig = z.output<typeof faceSchema>;
