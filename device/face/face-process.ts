import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { StationError } from "../../config/errors.ts";
import { Listeners } from "../ports/listeners.ts";
import { FACE_RESULT_SCHEMAS, type FaceRequest, type FaceResults, parseFaceReply } from "./protocol.ts";

type Op = Exclude<FaceRequest["op"], "init">;
type Args<K extends FaceRequest["op"]> = Omit<Extract<FaceRequest, { op: K }>, "id" | "op">;
interface Pending {
  op: FaceRequest["op"];
  resolve: (v: unknown) => void;
  reject: (e: StationError) => void;
  timer: NodeJS.Timeout;
}

export interface FaceProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly detail?: string | undefined;
}

/**
 * The face process seen from its parent: spawn, request/reply with a deadline, kill. It knows
 * nothing of restarts (the supervisor decides those). The prebuilt dist/face-service.mjs is run
 * when it exists; from the sources, the TypeScript entry runs through tsx.
 */
export class FaceProcess {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly exits = new Listeners<FaceProcessExit>();
  private stderrTail = "";

  constructor(private readonly env: Record<string, string> = {}) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  onExit(l: (e: FaceProcessExit) => void): () => void {
    return this.exits.add(l);
  }

  /** Start the child and wait until its models are loaded; resolves with the load time. */
  spawn(readyTimeoutMs: number): Promise<{ loadMs: number; backend: string }> {
    const argv = faceServiceArgv();
    const child = spawn(process.execPath, argv, {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
      env: { ...process.env, ...this.env },
    });
    this.child = child;
    child.stderr?.on("data", (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString("utf8")).slice(-400);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new StationError(
            "FACE_UNAVAILABLE",
            "face",
            `the face process did not load in ${readyTimeoutMs} ms`,
          ),
        );
        this.kill();
      }, readyTimeoutMs);
      child.on("message", (raw) => {
        let msg: ReturnType<typeof parseFaceReply>;
        try {
          msg = parseFaceReply(raw);
        } catch {
          return;
        }
        if (msg.kind === "ready") {
          clearTimeout(timer);
          resolve({ loadMs: msg.loadMs, backend: msg.backend });
        } else if (msg.kind === "fatal") {
          clearTimeout(timer);
          reject(new StationError("FACE_MODELS_MISSING", "face", msg.message, { faceCode: msg.code }));
        } else this.settle(msg);
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        const detail = this.stderrTail.trim().split("\n").at(-1);
        this.failAll(`the face process exited (${signal ?? code})`);
        reject(
          new StationError(
            "FACE_UNAVAILABLE",
            "face",
            `the face process exited while loading (${signal ?? code})`,
          ),
        );
        this.exits.emit({ code, signal, detail });
      });
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(new StationError("FACE_UNAVAILABLE", "face", `cannot start the face process: ${err.message}`));
      });
    });
  }

  init(templateKey: string, templatesDir: string, timeoutMs: number): Promise<FaceResults["init"]> {
    return this.send("init", { templateKey, templatesDir }, timeoutMs);
  }

  request<K extends Op>(op: K, args: Args<K>, timeoutMs: number): Promise<FaceResults[K]> {
    return this.send(op, args, timeoutMs);
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    this.child?.kill(signal);
  }

  /** Stop the child and wait for it to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    });
  }

  private send<K extends FaceRequest["op"]>(
    op: K,
    args: Args<K>,
    timeoutMs: number,
  ): Promise<FaceResults[K]> {
    const child = this.child;
    if (!child?.connected) {
      return Promise.reject(new StationError("FACE_UNAVAILABLE", "face", "the face process is not running"));
    }
    const id = this.nextId++;
    return new Promise<FaceResults[K]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new StationError(
            "FACE_UNAVAILABLE",
            "face",
            `the face process did not answer ${op} in ${timeoutMs} ms`,
            { hang: true },
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { op, resolve: resolve as (v: unknown) => void, reject, timer });
      child.send({ id, op, ...args });
    });
  }

  private settle(msg: Extract<ReturnType<typeof parseFaceReply>, { kind: "reply" }>): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (!msg.ok) {
      p.reject(new StationError(asCode(msg.code), "face", msg.message));
      return;
    }
    const parsed = FACE_RESULT_SCHEMAS[p.op].safeParse(msg.result);
    if (parsed.success) p.resolve(parsed.data);
    else
      p.reject(new StationError("FACE_BAD_MESSAGE", "face", `malformed ${p.op} reply from the face process`));
  }

  private failAll(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new StationError("FACE_UNAVAILABLE", "face", why));
    }
  }
}

const FACE_CODES = new Set([
  "FACE_BAD_IMAGE",
  "FACE_MODELS_MISSING",
  "FACE_ENGINE",
  "FACE_TEMPLATES_UNREADABLE",
  "FACE_BAD_MESSAGE",
  "FACE_UNAVAILABLE",
  "FACE_NO_FACE",
]);
function asCode(code: string) {
  return (FACE_CODES.has(code) ? code : "FACE_ENGINE") as "FACE_ENGINE";
}

/** How to start the face service: the prebuilt bundle beside dist/, or the sources through tsx. */
export function faceServiceArgv(): string[] {
  for (const rel of ["./face-service.mjs", "../face-service.mjs"]) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return [file];
  }
  return ["--import", "tsx", fileURLToPath(new URL("./face-service-main.ts", import.meta.url))];
}
