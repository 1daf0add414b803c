import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Daemon } from "./real-stack.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = resolve(import.meta.dirname, "powercut-fs.py");

/**
 * FUSE as the power-cut file system needs it: the kernel's /dev/fuse, Debian's fusepy for
 * /usr/bin/python3, and root (libfuse 2 mounts directly only as root).
 */
function fuseUsable(): boolean {
  if (!existsSync("/dev/fuse") || !existsSync(PYTHON) || process.getuid?.() !== 0) return false;
  return spawnSync(PYTHON, ["-c", "import fusepy"], { stdio: "ignore" }).status === 0;
}

export const fuseStack: Daemon = {
  name: "FUSE with fusepy (as root)",
  path: fuseUsable() ? PYTHON : undefined,
  install: "sudo apt-get install -y fuse3 python3-fusepy",
};

/**
 * test/support/powercut-fs.py mounted at `mountpoint` over `medium`: writes not yet synced are
 * held apart, and `cut()` drops them, as a power cut would. One mount per power-on.
 */
export class PowerCutFs {
  private proc: ChildProcess | undefined;
  private readonly waiting: { line: string; resolve: () => void }[] = [];
  private stderr = "";

  constructor(
    readonly medium: string,
    readonly mountpoint: string,
  ) {}

  mount(): Promise<void> {
    const proc = spawn(PYTHON, [SCRIPT, this.medium, this.mountpoint], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc = proc;
    this.stderr = "";
    proc.stderr?.on("data", (d) => {
      this.stderr += d;
    });
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const i = this.waiting.findIndex((w) => w.line === line);
      if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve();
    });
    return this.expect("ready");
  }

  /** The power goes: everything not synced is lost, and every later operation fails. */
  async cut(): Promise<void> {
    if (!this.proc) return;
    const done = this.expect("cut");
    this.proc?.stdin?.write("cut\n");
    await done;
  }

  /** Unmount (after a cut, with every writer dead). */
  async unmount(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    if (proc.exitCode !== null) return;
    const exited = new Promise((res) => proc.once("exit", res));
    proc.stdin?.end("exit\n");
    await exited;
  }

  private expect(line: string): Promise<void> {
    const proc = this.proc;
    return new Promise((res, rej) => {
      const t = setTimeout(
        () => rej(new Error(`powercut-fs: no "${line}" within 20 s: ${this.stderr}`)),
        20_000,
      );
      const onExit = (code: number | null) =>
        rej(new Error(`powercut-fs exited (${code}) before "${line}": ${this.stderr}`));
      proc?.once("exit", onExit);
      this.waiting.push({
        line,
        resolve: () => {
          clearTimeout(t);
          proc?.off("exit", onExit);
          res();
        },
      });
    });
  }
}
