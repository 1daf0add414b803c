import { resolve } from "node:path";
import type { Logger } from "pino";
import type { FaceConfig } from "../../config/sections/face.ts";
import type { TerminalReport } from "../../device/face/terminal-report.ts";
import { FaceTerminalWebhook } from "../../device/face/terminal-webhook.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { Frame, FrameSource } from "../../device/ports/frame-source.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { CredentialStore } from "../access/credential-store.ts";
import type { SecondFactor } from "../access/second-factor.ts";
import type { FaceState } from "../contract/face-events.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { TelemetryPart } from "../mqtt/telemetry-reporter.ts";
import type { CommandSpec, DoctorCheck, SelftestStep, Subsystem, SubsystemContext } from "../subsystem.ts";
import { BurstCollector } from "./burst-collector.ts";
import { type FaceCheckDeps, faceDoctorChecks, faceSelftestSteps } from "./face-checks.ts";
import { faceCommands } from "./face-commands.ts";
import { decideFace, type FaceDecision } from "./face-decision.ts";
import { FaceEntryReader } from "./face-entry-reader.ts";
import { type FaceKeys, faceKeys } from "./face-keys.ts";
import { facePublish, type PublishedFace } from "./face-state-key.ts";
import type { FaceSupervisor } from "./face-supervisor.ts";
import { buildSupervisor } from "./face-wiring.ts";

/**
 * Face verification as a station subsystem. Frames from the camera go to the face process
 * (one in flight, the newest waiting); its verdict meets the thresholds here; a match goes
 * through the access controller as a read of the person's face credential, and is remembered
 * for card-plus-face credentials (ctx.ports.face). This process never decodes a frame, never
 * holds an embedding, and never loads tfjs.
 */
export class FaceSubsystem implements Subsystem {
  readonly name = "face";
  readonly entry = new FaceEntryReader();
  readonly commands: readonly CommandSpec[];
  readonly doctorChecks: readonly DoctorCheck[];
  readonly selftestSteps: readonly SelftestStep[];
  private cameraStatus: { online: boolean; detail?: string | undefined; frames: number } | undefined;
  private lastVerdict: { faces: number; analyseMs: number } | undefined;
  private supervisor: FaceSupervisor | undefined;
  private keys: FaceKeys | undefined;
  private readonly verifiedAt = new Map<string, number>();
  /** a card-plus-face credential was refused for want of a face: check the next frames 1:1 */
  private oneToOne: { personId: string; untilMs: number } | undefined;
  private busy = false;
  private waiting: Frame | undefined;
  private readonly frames = { analysed: 0, dropped: 0 };
  private readonly lastReject = new Map<string, number>();
  private readonly changes = new Listeners<void>();
  /** each verdict and each status change of the face process (the selftest waits on it) */
  private readonly progress = new Listeners<void>();
  private readonly unsubscribers: (() => void)[] = [];
  private lastError: string | undefined;
  /** what the last `state` said of the face process (face-state-key.ts) */
  private published: PublishedFace | undefined;
  private readonly log: Logger;
  private webhook: FaceTerminalWebhook | undefined;
  private readonly config: FaceConfig;
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly camera: FrameSource | undefined;
  private readonly credentials: CredentialStore;
  private readonly burst: BurstCollector | undefined;
  /** frame arrival -> the verdict handed to access, for face.to_unlock */
  lastFrameAtMs: number | undefined;

  constructor(private readonly ctx: SubsystemContext & { config: { face: FaceConfig } }) {
    this.config = ctx.config.face;
    this.clock = ctx.hardware.clock;
    this.bus = ctx.bus;
    this.camera = ctx.hardware.faceCamera;
    this.credentials = ctx.credentials;
    this.log = ctx.logger.child({ module: "face" });
    const motion = this.config.liveness.motion;
    this.burst = motion.enabled
      ? new BurstCollector(this.clock, {
          frames: motion.frames,
          intervalMs: motion.intervalMs,
          timeoutMs: motion.burstTimeoutMs,
        })
      : undefined;
    ctx.ports.face = this.secondFactor;
    ctx.ports.faceEntry = this.entry;
    this.commands = faceCommands({
      request: (op, args) => this.requireSupervisor().request(op, args),
      credentials: this.credentials,
      keys: () => this.keys,
      bus: this.bus,
    });
    const checks: FaceCheckDeps = {
      clock: this.clock,
      camera: () => this.cameraStatus,
      service: () => this.supervisor?.status(),
      health: (timeoutMs) => this.requireSupervisor().request("health", {}, timeoutMs),
      analysed: () => ({ count: this.frames.analysed, last: this.lastVerdict }),
      requestFrame: () => this.camera?.requestFrame?.(),
      onProgress: (l) => this.progress.add(l),
    };
    this.doctorChecks = faceDoctorChecks(checks);
    this.selftestSteps = faceSelftestSteps(checks);
  }

  readonly secondFactor: SecondFactor = {
    status: () => (this.supervisor?.up ? "up" : "down"),
    verified: (personId, withinMs) => {
      const at = this.verifiedAt.get(personId);
      return at !== undefined && this.clock.monotonic() - at <= Math.min(withinMs, this.config.verifiedForMs);
    },
  };

  async start(): Promise<void> {
    const { config } = this.ctx;
    try {
      this.keys = faceKeys(config.secretsFile, config.station.id);
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.log.error({ err: this.lastError }, "face module cannot start: no template key");
      this.entry.status(false, this.lastError);
      return;
    }
    const supervisor = buildSupervisor(
      this.config,
      this.keys.templateKey,
      resolve(config.dataDir, this.config.templatesDir),
      this.clock,
      this.log,
    );
    this.supervisor = supervisor;
    this.unsubscribers.push(
      supervisor.onChange((s) => {
        if (s.phase === "up") this.entry.status(true);
        this.progress.emit();
        const next = facePublish(this.published, s);
        if (!next) return;
        this.published = next;
        this.changes.emit();
      }),
      this.bus.subscribe((e) => {
        if (e.type === "access.denied" && e.reason === "needs-second-factor" && e.personId) {
          this.oneToOne = {
            personId: e.personId,
            untilMs: this.clock.monotonic() + this.config.verifiedForMs,
          };
        }
      }),
    );
    this.wireServiceEvents(supervisor);
    this.entry.status(false, "the face process is starting");
    supervisor.start();
    if (this.camera) {
      this.unsubscribers.push(
        this.camera.onStatus((st) => {
          this.cameraStatus = {
            online: st.online,
            detail: st.detail,
            frames: this.cameraStatus?.frames ?? 0,
          };
        }),
        this.camera.onFrame((f) => {
          if (this.cameraStatus) this.cameraStatus.frames++;
          this.onFrame(f);
        }),
      );
      await this.camera.start();
    }
    await this.startWebhook();
  }

  /** the external terminals' endpoint, when configured; its port once listening */
  get webhookPort(): number | undefined {
    return this.webhook?.port;
  }

  private async startWebhook(): Promise<void> {
    const w = this.config.webhook;
    if (!w.enabled) return;
    const secret = this.keys?.terminalSecret;
    if (!secret) {
      this.log.error("face terminal webhook enabled but no faceTerminalSecret in the secrets file");
      return;
    }
    const hook = new FaceTerminalWebhook(
      { host: w.host, port: w.port, secret, toleranceS: w.toleranceS },
      this.clock,
    );
    this.unsubscribers.push(
      hook.onReport((r) => this.onTerminalReport(r)),
      hook.onRefusal((refusal) => {
        this.log.warn({ refusal }, "face terminal report refused");
        this.bus.emit("face.terminal-refused", { refusal });
      }),
    );
    await hook.start();
    this.webhook = hook;
  }

  /** A terminal matched on its own: its person meets the access policy like any reader's read. */
  private onTerminalReport(r: TerminalReport): void {
    const keys = this.keys;
    if (!keys) return;
    this.entry.present({
      readerId: this.entry.id,
      kind: "face",
      credential: keys.faceCredential(r.personId),
      format: `face-terminal:${r.terminalId}`,
      atMs: this.clock.monotonic(),
    });
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    this.burst?.finish();
    await this.webhook?.stop();
    this.webhook = undefined;
    await this.camera?.stop();
    await this.supervisor?.stop();
  }

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }

  snapshot(): { face: FaceState } {
    const s = this.supervisor?.status();
    const h = s?.health;
    const status: FaceState["status"] =
      !s || s.phase === "backoff"
        ? "down"
        : s.phase === "up"
          ? "up"
          : s.phase === "starting"
            ? "starting"
            : "stopped";
    const lastError = s?.lastError ?? this.lastError;
    return {
      face: {
        status,
        restarts: s?.restarts ?? 0,
        ...(s?.pid !== undefined ? { pid: s.pid } : {}),
        ...(h ? { rssMb: h.rssMb, templates: h.templates, people: h.people } : {}),
        ...(s?.loadMs !== undefined ? { loadMs: Math.round(s.loadMs) } : {}),
        ...(lastError ? { lastError } : {}),
        frames: { ...this.frames },
      },
    };
  }

  /** The face process's health and RSS; a change of its status is reported at once. */
  telemetry(): TelemetryPart {
    const f = this.snapshot().face;
    const face = {
      status: f.status,
      restarts: f.restarts,
      ...(f.rssMb !== undefined ? { rssMb: f.rssMb } : {}),
      ...(f.templates !== undefined ? { templates: f.templates } : {}),
      frames: { ...f.frames },
    };
    return { fields: { face }, watch: { "face.status": f.status } };
  }

  /** One frame in flight at most; the newest waits, older ones are dropped (counted). */
  onFrame(frame: Frame): void {
    const b = this.burst?.offer(frame) ?? "idle";
    if (b === "taken") return;
    if (b === "skipped") {
      this.frames.dropped++;
      return;
    }
    if (!this.supervisor?.up) {
      this.frames.dropped++;
      return;
    }
    if (this.busy) {
      if (this.waiting) this.frames.dropped++;
      this.waiting = frame;
      return;
    }
    void this.analyse(frame);
  }

  private async analyse(frame: Frame): Promise<void> {
    const supervisor = this.supervisor;
    if (!supervisor) return;
    this.busy = true;
    try {
      const now = this.clock.monotonic();
      const one = this.oneToOne && this.oneToOne.untilMs > now ? this.oneToOne : undefined;
      // the burst fills (from a streaming camera) while the first frame is analysed
      const burst = this.burst?.collect(frame);
      let verdict = one
        ? await supervisor.request("verify", { frame: frame.bytes, personId: one.personId })
        : await supervisor.request("identify", { frame: frame.bytes });
      if (burst && this.burst) {
        if (verdict.faces > 0 && (verdict.size ?? 0) >= this.config.thresholds.minFaceSize) {
          this.burst.arm();
          const missing = this.burst.missing();
          if (missing > 0) this.camera?.requestBurst?.(missing, this.config.liveness.motion.intervalMs);
          const extra = (await burst).map((f) => f.bytes);
          const m = await supervisor.request("motion", { frame: frame.bytes, burst: extra });
          verdict = { ...verdict, motion: m };
        } else this.burst.finish(); // nobody, or too far away: no burst
      }
      this.frames.analysed++;
      this.lastVerdict = { faces: verdict.faces, analyseMs: verdict.analyseMs };
      this.progress.emit();
      const thresholds = {
        ...this.config.thresholds,
        colour: this.config.camera.colourCue,
        motion: this.config.liveness.motion,
      };
      this.act(decideFace(verdict, thresholds), frame, one ? "1:1" : "1:N");
    } catch (err) {
      this.frames.dropped++;
      this.log.warn({ code: (err as { code?: string }).code }, "a frame was not analysed");
    } finally {
      // a failed request (the face process died) must not leave a burst open to swallow frames
      this.burst?.finish();
      this.busy = false;
      const next = this.waiting;
      this.waiting = undefined;
      if (next) this.onFrame(next);
    }
  }

  private act(d: FaceDecision, frame: Frame, mode: "1:N" | "1:1"): void {
    if (d.outcome === "none") return;
    if (d.outcome === "rejected") {
      const key = `${d.reason}:${d.personId ?? ""}`;
      const now = this.clock.monotonic();
      const last = this.lastReject.get(key);
      // repeated refusals of the same face are journalled once per window, not once per frame:
      // the window a card re-read is suppressed for (access.rereadSuppressMs, 3 s)
      if (last !== undefined && now - last < this.ctx.config.access.rereadSuppressMs) return;
      this.lastReject.set(key, now);
      this.bus.emit("face.rejected", {
        sourceId: frame.sourceId,
        reason: d.reason,
        mode,
        ...(d.personId ? { personId: d.personId } : {}),
        scores: d.scores,
      });
      return;
    }
    this.verifiedAt.set(d.personId, this.clock.monotonic());
    if (mode === "1:1") this.oneToOne = undefined;
    this.bus.emit("face.verified", {
      sourceId: frame.sourceId,
      personId: d.personId,
      mode,
      scores: d.scores,
    });
    const keys = this.keys;
    if (!keys || mode === "1:1") return;
    const credential = keys.faceCredential(d.personId);
    // Only people enrolled for face entry are let in by their face alone; for card-plus-face
    // credentials the match above is the second factor, and the card does the rest.
    if (!this.credentials.lookup(credential)) return;
    this.lastFrameAtMs = frame.atMs;
    this.entry.present({
      readerId: this.entry.id,
      kind: "face",
      credential,
      format: "face",
      atMs: frame.atMs,
      face: d.scores,
    });
  }

  private wireServiceEvents(supervisor: FaceSupervisor): void {
    let wasUp = false;
    this.unsubscribers.push(
      supervisor.onChange((s) => {
        if (s.phase === "up" && !wasUp) {
          wasUp = true;
          this.bus.emit("face.service-up", { loadMs: Math.round(s.loadMs ?? 0), restarts: s.restarts });
        } else if (s.phase === "backoff" && (wasUp || s.restarts === 0)) {
          wasUp = false;
          const retryInMs = Math.round(s.retryInMs ?? 0);
          this.entry.status(false, s.lastError ?? "the face process is down");
          this.bus.emit("face.service-down", {
            detail: s.lastError ?? "down",
            restarts: s.restarts,
            retryInMs,
          });
        }
      }),
    );
  }

  private requireSupervisor(): FaceSupervisor {
    if (!this.supervisor) throw new Error("face module not started");
    return this.supervisor;
  }
}
