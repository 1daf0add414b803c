import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reapOnExit } from "../simulator/serial/reap-on-exit.ts";
import { findExecutable } from "./executables.ts";

/**
 * Two pseudo-terminals joined by socat: what one end writes, the other reads, through the kernel's
 * tty layer and the real serialport bindings. A pty ignores the baud rate: the peer paces itself.
 */
export class PtyPair {
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "waystation-pty-"));
  readonly a = join(this.dir, "a");
  readonly b = join(this.dir, "b");

  static available(): boolean {
    return findExecutable("socat") !== undefined;
  }

  async start(timeoutMs = 5000): Promise<void> {
    const socat = findExecutable("socat");
    if (!socat) throw new Error("socat is missing (sudo apt-get install -y socat)");
    this.proc = spawn(socat, ["-d", "-d", `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    reapOnExit(this.proc);
    let stderr = "";
    this.proc.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(this.a) && existsSync(this.b) && stderr.includes("starting data transfer"))) {
      if (this.proc.exitCode !== null) throw new Error(`socat exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`socat did not make its ptys: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Ends socat: both ptys vanish, as an unplugged USB adapter does. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p && p.exitCode === null) {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await exited;
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
