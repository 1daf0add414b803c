import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { waitFor } from "./wait.ts";

export const CLI = resolve(import.meta.dirname, "..", "..", "scripts", "bin", "waystation.mjs");

/** The `waystation` command as a child process, its JSON log lines parsed as they come. */
export class StationProcess {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = "";
  private buffer = "";

  /** `wrap` runs the command through another (e.g. `unshare`): it gets the argv, returns the new one. */
  constructor(args: string[], env: Record<string, string> = {}, wrap?: (argv: string[]) => string[]) {
    const argv = wrap ? wrap([process.execPath, CLI, ...args]) : [process.execPath, CLI, ...args];
    this.proc = spawn(argv[0] ?? process.execPath, argv.slice(1), {
      env: { ...process.env, WAYSTATION_LOG_JSON: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc.stdout?.on("data", (d: Buffer) => {
      this.buffer += d.toString("utf8");
      const parts = this.buffer.split("\n");
      this.buffer = parts.pop() ?? "";
      this.lines.push(...parts.filter(Boolean));
    });
    this.proc.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString("utf8");
    });
  }

  logs(): Record<string, unknown>[] {
    return this.lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async waitForLog(msg: string | RegExp, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    return waitFor(
      () => {
        if (this.proc.exitCode !== null && this.proc.exitCode !== undefined) {
          throw new Error(`process exited (${this.proc.exitCode}) before logging ${msg}: ${this.stderr}`);
        }
        return this.logs().find((l) => (typeof msg === "string" ? l.msg === msg : msg.test(String(l.msg))));
      },
      `log line ${msg}`,
      timeoutMs,
      20,
    );
  }

  async exit(timeoutMs = 10_000): Promise<number | null> {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("process did not exit")), timeoutMs);
      this.proc.once("exit", (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }

  kill(signal: NodeJS.Signals = "SIGKILL"): void {
    if (this.proc.exitCode === null) this.proc.kill(signal);
  }
}

/** Run the CLI to completion and return what it printed. */
export async function runCli(
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawn(process.execPath, [CLI, ...args], {
    stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (stdin !== undefined) p.stdin?.end(stdin);
  let stdout = "";
  let stderr = "";
  p.stdout?.on("data", (d) => {
    stdout += d;
  });
  p.stderr?.on("data", (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => p.once("exit", resolve));
  return { code, stdout, stderr };
}

/** The CLI started and left running: what it printed so far, and its exit. */
export function startCli(args: string[]): {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  running: () => boolean;
} {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  p.stdout?.on("data", (d) => {
    out += d;
  });
  p.stderr?.on("data", (d) => {
    err += d;
  });
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    p.once("exit", (code) => {
      done = true;
      resolve(code);
    }),
  );
  return { stdout: () => out, stderr: () => err, exited, running: () => !done };
}
