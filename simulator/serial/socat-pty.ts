import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StationError } from "../../config/errors.ts";
import { reapOnExit } from "./reap-on-exit.ts";

/**
 * A pty pair made by socat, named by two symlinks that exist only while socat runs: killing it
 * is a real unplug (the device path vanishes and open ports see EIO), starting it again with the
 * same names is the replug. One end goes to the station's driver, the other to a simulated peer.
 */
export class SocatPty {
  readonly dir: string;
  readonly hostPath: string;
  readonly devicePath: string;
  private child: ChildProcess | undefined;

  constructor(
    private readonly socat: string,
    name = "tty",
    dir?: string,
  ) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), "waystation-pty-"));
    this.hostPath = join(this.dir, `${name}-host`);
    this.devicePath = join(this.dir, `${name}-device`);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Start socat and wait until both paths exist. */
  async plug(timeoutMs = 5000): Promise<void> {
    if (this.child) return;
    const child = spawn(
      this.socat,
      [`pty,raw,echo=0,link=${this.hostPath}`, `pty,raw,echo=0,link=${this.devicePath}`],
      { stdio: "ignore" },
    );
    this.child = child;
    reapOnExit(child);
    child.on("exit", () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + timeoutMs;
    while (!(existsSync(this.hostPath) && existsSync(this.devicePath))) {
      if (!this.child || Date.now() > deadline) {
        await this.unplug();
        throw new StationError("SIM_UNREACHABLE", "sim", `socat did not create ${this.hostPath}`, {
          hint: "is socat installed? sudo apt-get install -y socat",
        });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kill socat: both ends vanish. */
  async unplug(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    }
    // socat removes its links on exit; a SIGKILLed one would not, so make sure.
    rmSync(this.hostPath, { force: true });
    rmSync(this.devicePath, { force: true });
  }

  async dispose(): Promise<void> {
    await this.unplug();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
