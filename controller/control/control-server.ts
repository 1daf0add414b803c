import { randomUUID } from "node:crypto";
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { StationError } from "../../config/errors.ts";
import { ControlRequestSchema, LineSplitter } from "./control-protocol.ts";
import type { LocalCommandRunner } from "./local-commands.ts";

/** Linux's limit for a unix socket path (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;
const PROBE_MS = 1000;

/** Does a live process answer on this socket? (ECONNREFUSED: a stale socket file left by a dead one.) */
export function probeSocket(path: string, timeoutMs = PROBE_MS): Promise<"live" | "stale" | "absent"> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      resolve("live"); // it accepted nothing in time, but something holds it: do not take it over
    }, timeoutMs);
    s.once("connect", () => {
      clearTimeout(timer);
      s.destroy();
      resolve("live");
    });
    s.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === "ECONNREFUSED") resolve("stale");
      else if (err.code === "ENOENT") resolve("absent");
      else reject(err);
    });
  });
}

/**
 * The station's local control socket. Only root and the service's group may open it (mode 0660,
 * created under a umask that never leaves it wider, inside a directory the service owns); what
 * reaches it runs as a local principal through the same checks and audit as any command.
 *
 * `start()` refuses a path a live station answers on (a second instance must not take over the
 * lock) and removes a stale socket file a dead one left; `stop()` removes the socket.
 */
export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** malformed or overlong requests since start */
  badRequests = 0;

  constructor(
    readonly path: string,
    private readonly runner: LocalCommandRunner,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (Buffer.byteLength(this.path) > MAX_SOCKET_PATH) {
      throw new StationError(
        "CONTROL_SOCKET_PATH",
        "control",
        `control socket path is too long: ${this.path}`,
        {
          hint: `a unix socket path has at most ${MAX_SOCKET_PATH} bytes; set control.socket to a shorter path`,
        },
      );
    }
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new StationError("CONTROL_SOCKET_PATH", "control", `cannot create ${dirname(this.path)}`, {
        cause,
        hint: "the directory of control.socket must be writable by the service (RuntimeDirectory=waystation)",
      });
    }
    await this.clearStale();
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          err.code === "EADDRINUSE"
            ? new StationError(
                "CONTROL_SOCKET_IN_USE",
                "control",
                `cannot listen on ${this.path}: ${err.code}`,
                {
                  cause: err,
                  hint: "another station may be starting on the same station file",
                },
              )
            : new StationError(
                "CONTROL_SOCKET_PATH",
                "control",
                `cannot listen on ${this.path}: ${err.code}`,
                {
                  cause: err,
                  hint: "the directory of control.socket must be writable by the service",
                },
              ),
        ),
      );
      // The socket file is created inside listen(); the umask makes it 0660 from its first moment.
      const umask = process.umask(0o117);
      try {
        server.listen(this.path, () => resolve());
      } finally {
        process.umask(umask);
      }
    });
    chmodSync(this.path, 0o660);
    server.on("error", (err) => this.log.error({ err }, "control socket failed"));
    this.server = server;
    this.log.info({ socket: this.path }, "control socket listening");
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      unlinkSync(this.path);
    } catch {
      // already gone (net removes it on close on some platforms)
    }
  }

  private async clearStale(): Promise<void> {
    let isSocket: boolean;
    try {
      isSocket = lstatSync(this.path).isSocket();
    } catch {
      return; // nothing there
    }
    if (!isSocket) {
      throw new StationError("CONTROL_SOCKET_PATH", "control", `${this.path} exists and is not a socket`, {
        hint: "remove it, or set control.socket in the station file to another path",
      });
    }
    let answer: "live" | "stale" | "absent";
    try {
      answer = await probeSocket(this.path);
      if (answer === "stale") unlinkSync(this.path);
    } catch (cause) {
      throw new StationError("CONTROL_SOCKET_PATH", "control", `cannot check ${this.path}`, {
        cause,
        hint: "run the station as root or as the service user",
      });
    }
    if (answer === "live") {
      throw new StationError(
        "CONTROL_SOCKET_IN_USE",
        "control",
        `a station is already running on ${this.path}`,
        {
          hint: "stop it first (systemctl stop waystation), or give this one its own station file",
        },
      );
    }
    if (answer === "stale")
      this.log.warn({ socket: this.path }, "removed a stale control socket left by a station that died");
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.setEncoding("utf8");
    const lines = new LineSplitter();
    let queue = Promise.resolve();
    const send = (msg: unknown) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(msg)}\n`);
    };
    socket.on("data", (chunk: string) => {
      const got = lines.push(chunk);
      if (lines.overflow) {
        this.badRequests++;
        send(this.runner.rejectRequest(undefined, "cli", "request line too long"));
        socket.end();
        return;
      }
      for (const line of got) queue = queue.then(() => this.handle(line, send));
    });
    socket.on("error", () => undefined); // a client that went away mid-reply
    socket.on("close", () => this.sockets.delete(socket));
  }

  private async handle(line: string, send: (msg: unknown) => void): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      raw = undefined;
    }
    const req = ControlRequestSchema.safeParse(raw);
    if (!req.success) {
      this.badRequests++;
      const given = (raw as { id?: unknown } | undefined)?.id;
      const detail = 'a request is one JSON object per line: {"name": "...", "args": {...}}';
      send(this.runner.rejectRequest(typeof given === "string" ? given : undefined, "cli", detail));
      return;
    }
    const { name, args } = req.data;
    const id = req.data.id ?? randomUUID();
    const reply = await this.runner.runLocal(name, args ?? {}, "cli", id, (progress) =>
      send({ id, progress }),
    );
    send(reply);
  }
}
