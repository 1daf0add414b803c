import { performance } from "node:perf_hooks";
import { isStationError, StationError } from "../../config/errors.ts";
import type { FaceEngine } from "./face-engine.ts";
import { decodeImage, type RgbImage } from "./image-decode.ts";
import { type BurstFrame, burstEvidence, toGrey } from "./liveness/track.ts";
import { Gallery } from "./matcher/gallery.ts";
import { normalise } from "./matcher/vector.ts";
import type { FaceRequest, FaceResults, FrameVerdict, MotionEvidence } from "./protocol.ts";
import { parseKey } from "./template-crypto.ts";
import { TemplateStore } from "./template-store.ts";

export const EMBEDDING_DIM = 1024;

/**
 * What runs inside the face process: the engine, the encrypted templates and the gallery. It answers
 * requests one at a time (tfjs holds the thread anyway). Frames are decoded, analysed and dropped:
 * nothing of an image outlives the request.
 */
export class FaceService {
  private store: TemplateStore | undefined;
  private gallery = new Gallery(EMBEDDING_DIM);
  private storeVersion = "";
  private frames = 0;
  private unreadable = 0;

  constructor(private readonly engine: FaceEngine) {}

  async handle(req: FaceRequest): Promise<FaceResults[FaceRequest["op"]]> {
    switch (req.op) {
      case "init": {
        this.store = new TemplateStore(req.templatesDir, parseKey(req.templateKey));
        this.store.start();
        this.reload();
        return { templates: this.gallery.size, people: this.gallery.people };
      }
      case "identify": {
        this.refresh();
        return this.judge(req.frame, (e) => this.gallery.identify(e));
      }
      case "verify": {
        this.refresh();
        return this.judge(req.frame, (e) => {
          const s = this.gallery.verify(req.personId, e);
          return s === undefined ? undefined : { personId: req.personId, similarity: s };
        });
      }
      case "motion":
        return this.motion(req.frame, req.burst);
      case "enrol":
        return this.enrol(req);
      case "forget": {
        const removed = this.requireStore().remove(req.personId);
        this.gallery.remove(req.personId);
        this.storeVersion = this.requireStore().version();
        return { removed };
      }
      case "health":
        return {
          rssMb: Math.round(process.memoryUsage().rss / 1e5) / 10,
          templates: this.gallery.size,
          people: this.gallery.people,
          tensors: this.engine.tensors(),
          frames: this.frames,
          unreadable: this.unreadable,
        };
    }
  }

  private async judge(
    frame: Uint8Array,
    match: (e: Float32Array) => { personId: string; similarity: number } | undefined,
  ): Promise<FrameVerdict> {
    const t0 = performance.now();
    const a = await this.engine.analyse(decodeImage(frame));
    this.frames++;
    if (!a) return { faces: 0, analyseMs: performance.now() - t0 };
    const m = match(a.embedding);
    a.embedding.fill(0);
    return {
      faces: a.faces,
      ...(m ? { personId: m.personId, similarity: m.similarity } : {}),
      real: a.real,
      live: a.live,
      score: a.score,
      size: a.size,
      chroma: a.chroma,
      analyseMs: performance.now() - t0,
    };
  }

  /**
   * The burst's motion evidence (liveness/parallax.ts): detect + mesh only on the extra frames,
   * the first frame's texture followed into each. Pictures and landmarks stay in this process.
   */
  private async motion(frame: Uint8Array, burst: readonly Uint8Array[]): Promise<MotionEvidence> {
    const frames: BurstFrame[] = [];
    for (const [i, bytes] of [frame, ...burst].entries()) {
      let next: RgbImage;
      try {
        next = decodeImage(bytes);
      } catch (err) {
        if (i === 0) throw err; // FACE_BAD_IMAGE, as for identify
        continue; // a damaged frame of the burst is left out, not the whole verdict
      }
      const l = await this.engine.landmarks(next);
      this.frames++;
      // the first frame without a face: no evidence
      if (!l && frames.length === 0) return { motion: 0, parallax: 0, frames: 0, pairs: 0 };
      if (l) frames.push({ grey: toGrey(next), landmarks: l.mesh.map(([x, y]) => [x, y] as const) });
    }
    const e = burstEvidence(frames);
    return { motion: e.motion, parallax: e.parallax, frames: frames.length, pairs: e.pairs };
  }

  private async enrol(req: Extract<FaceRequest, { op: "enrol" }>): Promise<FaceResults["enrol"]> {
    const store = this.requireStore();
    const embeddings: Float32Array[] = [];
    const real: number[] = [];
    const live: number[] = [];
    if (req.embedding) embeddings.push(normalise(req.embedding));
    for (const f of req.frames ?? []) {
      const a = await this.engine.analyse(decodeImage(f));
      if (!a) throw new StationError("FACE_NO_FACE", "face", "an enrolment image shows no face");
      embeddings.push(a.embedding);
      real.push(a.real);
      live.push(a.live);
    }
    if (embeddings.length === 0) throw new StationError("FACE_NO_FACE", "face", "nothing to enrol from");
    const before = store.get(req.personId);
    const all = [...(before?.embeddings ?? []), ...embeddings].slice(-8);
    store.put({ personId: req.personId, embeddings: all, enrolledAt: Date.now(), consent: req.consent });
    this.gallery.remove(req.personId);
    for (const e of all) this.gallery.add(req.personId, e);
    this.storeVersion = store.version();
    return { templates: all.length, real, live };
  }

  private requireStore(): TemplateStore {
    if (!this.store)
      throw new StationError("FACE_UNAVAILABLE", "face", "the face service was not initialised");
    return this.store;
  }

  /** Another writer (the enrolment CLI) changed the directory: read it again. */
  private refresh(): void {
    if (this.store && this.store.version() !== this.storeVersion) this.reload();
  }

  private reload(): void {
    const store = this.requireStore();
    this.storeVersion = store.version();
    const gallery = new Gallery(EMBEDDING_DIM);
    let unreadable = 0;
    const people = store.loadAll((file, err) => {
      unreadable++;
      process.stderr.write(`face: skipped ${file}: ${err.code}\n`);
    });
    this.unreadable = unreadable;
    gallery.addMany(
      people.flatMap((p) => p.embeddings.map((embedding) => ({ personId: p.personId, embedding }))),
    );
    this.gallery = gallery;
  }
}

export function errorReply(id: number, err: unknown) {
  if (isStationError(err))
    return { kind: "reply" as const, id, ok: false as const, code: err.code, message: err.message };
  return {
    kind: "reply" as const,
    id,
    ok: false as const,
    code: "FACE_ENGINE",
    message: "the face engine failed",
  };
}
