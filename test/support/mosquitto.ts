import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./net.ts";
import { daemon } from "./real-stack.ts";

export const mosquittoDaemon = daemon("mosquitto", "mosquitto");

/** A real Mosquitto on a free loopback port with its own temp dir; restartable on the same port. */
export class Mosquitto {
  /**
   * `listener` lines go right after the listener (TLS files, require_certificate, ...);
   * `anonymous: false` requires a user name and password.
   */
  constructor(private readonly extra: { listener?: string[]; anonymous?: boolean } = {}) {}

  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "ws-mosq-"));
  port = 0;
  output = "";

  /** the broker's process id while it runs (to read its CPU time from /proc) */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!mosquittoDaemon.path) throw new Error(`mosquitto missing: ${mosquittoDaemon.install}`);
    if (this.port === 0) this.port = await freePort();
    // Started as root, mosquitto drops to its own user: it must still be able to write its
    // persistence file here, or sessions and queued messages silently vanish at a restart.
    chmodSync(this.dir, 0o777);
    const conf = join(this.dir, "mosquitto.conf");
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        ...(this.extra.listener ?? []),
        `allow_anonymous ${this.extra.anonymous === false ? "false" : "true"}`,
        "persistence true",
        `persistence_location ${this.dir}/`,
        "autosave_interval 1",
        "max_queued_messages 1000000",
        "max_inflight_messages 0",
        "log_dest stdout",
        "log_type error",
        "log_type warning",
      ].join("\n"),
    );
    const proc = spawn(mosquittoDaemon.path, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout?.on("data", (d) => {
      this.output += d;
    });
    proc.stderr?.on("data", (d) => {
      this.output += d;
    });
    this.proc = proc;
    await waitForPort(this.port);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  }
}
