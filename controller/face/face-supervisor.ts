import type { Logger } from "pino";
import { isStationError, StationError } from "../../config/errors.ts";
import type { FaceProcessExit } from "../../device/face/face-process.ts";
import type { FaceRequest, FaceResults } from "../../device/face/protocol.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import {
  INITIAL_SUPERVISOR,
  type SupervisorEffect,
  type SupervisorEvent,
  type SupervisorState,
  type SupervisorTiming,
  supervise,
} from "./supervisor-machine.ts";

type Op = Exclude<FaceRequest["op"], "init">;
type Args<K extends FaceRequest["op"]> = Omit<Extract<FaceRequest, { op: K }>, "id" | "op">;

/** The face process as the supervisor needs it (device/face/face-process.ts is the real one). */
export interface FaceChild {
  readonly pid: number | undefined;
  spawn(readyTimeoutMs: number): Promise<{ loadMs: number; backend: string }>;
  init(templateKey: string, templatesDir: string, timeoutMs: number): Promise<FaceResults["init"]>;
  request<K extends Op>(op: K, args: Args<K>, timeoutMs: number): Promise<FaceResults[K]>;
  onExit(l: (e: FaceProcessExit) => void): () => void;
  kill(): void;
  stop(): Promise<void>;
}

export interface SupervisorSettings extends SupervisorTiming {
  readonly loadTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly healthIntervalMs: number;
  readonly templateKey: string;
  readonly templatesDir: string;
}

export interface FaceServiceStatus {
  readonly phase: SupervisorState["phase"];
  readonly restarts: number;
  readonly lastError?: string | undefined;
  readonly pid?: number | undefined;
  readonly loadMs?: number | undefined;
  readonly health?: FaceResults["health"] | undefined;
  /** when down: how long until the next attempt */
  readonly retryInMs?: number | undefined;
}

/**
 * Runs the face process: spawns it, waits for its models, asks for its health every few seconds,
 * and on a death or a request left unanswered (a hang) kills it and starts another after the
 * machine's backoff. Requests while it is down fail at once with FACE_UNAVAILABLE: the door's
 * decisions never wait on a process that is not there.
 */
export class FaceSupervisor {
  private state: SupervisorState = INITIAL_SUPERVISOR;
  private child: FaceChild | undefined;
  private timers: TimerHandle[] = [];
  private healthTimer: TimerHandle | undefined;
  private loadMs: number | undefined;
  private health: FaceResults["health"] | undefined;
  private retryInMs: number | undefined;
  private readonly changes = new Listeners<FaceServiceStatus>();

  constructor(
    private readonly spawnChild: () => FaceChild,
    private readonly settings: SupervisorSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get up(): boolean {
    return this.state.phase === "up";
  }

  status(): FaceServiceStatus {
    return {
      phase: this.state.phase,
      restarts: this.state.restarts,
      lastError: this.state.lastError,
      pid: this.child?.pid,
      loadMs: this.loadMs,
      health: this.health,
      retryInMs: this.retryInMs,
    };
  }

  onChange(l: (s: FaceServiceStatus) => void): () => void {
    return this.changes.add(l);
  }

  start(): void {
    this.dispatch({ type: "start" });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.dispatch({ type: "stop" });
    await child?.stop();
  }

  async request<K extends Op>(
    op: K,
    args: Args<K>,
    timeoutMs = this.settings.requestTimeoutMs,
  ): Promise<FaceResults[K]> {
    const child = this.child;
    if (!child || !this.up) throw new StationError("FACE_UNAVAILABLE", "face", "the face module is down");
    try {
      return await child.request(op, args, timeoutMs);
    } catch (err) {
      if (isStationError(err, "FACE_UNAVAILABLE") && err.details.hang === true && this.child === child) {
        this.dispatch({ type: "failed", detail: `no answer to ${op} in ${timeoutMs} ms`, hung: true });
      }
      throw err;
    }
  }

  private dispatch(e: SupervisorEvent): void {
    const { state, effects } = supervise(this.state, e, this.settings);
    const changed = state !== this.state;
    this.state = state;
    for (const fx of effects) this.run(fx);
    if (changed) this.changes.emit(this.status());
  }

  private run(fx: SupervisorEffect): void {
    switch (fx.type) {
      case "spawn":
        void this.launch();
        return;
      case "kill":
        this.child?.kill();
        return;
      case "wait":
        this.timers.push(this.clock.setTimeout(() => this.dispatch({ type: "backoff-elapsed" }), fx.ms));
        return;
      case "wait-stable":
        this.timers.push(this.clock.setTimeout(() => this.dispatch({ type: "stable" }), fx.ms));
        this.scheduleHealth();
        return;
      case "cancel-timers":
        for (const t of this.timers.splice(0)) this.clock.clearTimeout(t);
        this.clock.clearTimeout(this.healthTimer);
        this.healthTimer = undefined;
        return;
      case "up":
        this.log.info(
          { pid: this.child?.pid, loadMs: this.loadMs, restarts: this.state.restarts },
          "face process up",
        );
        return;
      case "down":
        this.health = undefined;
        this.retryInMs = fx.retryInMs;
        this.log.warn({ detail: fx.detail, retryInMs: fx.retryInMs }, "face process down");
        return;
    }
  }

  private async launch(): Promise<void> {
    const child = this.spawnChild();
    this.child = child;
    child.onExit((exit) => {
      if (this.child !== child) return;
      const why = exit.signal ?? `code ${exit.code}`;
      this.dispatch({
        type: "failed",
        detail: `the face process exited (${why})${exit.detail ? `: ${exit.detail}` : ""}`,
      });
    });
    try {
      const ready = await child.spawn(this.settings.loadTimeoutMs);
      const init = await child.init(
        this.settings.templateKey,
        this.settings.templatesDir,
        this.settings.requestTimeoutMs,
      );
      if (this.child !== child) return;
      this.loadMs = ready.loadMs;
      this.log.info(
        { templates: init.templates, people: init.people, backend: ready.backend },
        "face templates loaded",
      );
      this.dispatch({ type: "ready" });
    } catch (err) {
      if (this.child !== child) return;
      const detail = err instanceof Error ? err.message : String(err);
      child.kill();
      this.dispatch({ type: "failed", detail });
    }
  }

  private scheduleHealth(): void {
    this.healthTimer = this.clock.setTimeout(() => {
      this.healthTimer = undefined;
      if (!this.up) return;
      this.request("health", {})
        .then((h) => {
          this.health = h;
          this.changes.emit(this.status());
        })
        .catch(() => {})
        .finally(() => {
          if (this.up && !this.healthTimer) this.scheduleHealth();
        });
    }, this.settings.healthIntervalMs);
  }
}
