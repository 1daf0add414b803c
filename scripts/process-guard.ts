import { writeSync } from "node:fs";
import type { Logger } from "pino";
import { isStationError } from "../config/errors.ts";

/** The exit code of a controller that died of its own fault (EX_SOFTWARE, sysexits.h). */
export const FAULT_EXIT_CODE = 70;
/** How long a dying controller waits for the journal to commit why it died. */
const RECORD_BOUND_MS = 2000;

export type FaultOrigin = "uncaughtException" | "unhandledRejection";

export interface Fault {
  readonly origin: FaultOrigin;
  readonly error: string;
  readonly code?: string | undefined;
}

/**
 * What keeps the door safe when the controller process dies of its own fault. Each safe action
 * is synchronous (a GPIO write is one write(2)), so it runs inside the handler before anything
 * can go wrong next: an uncaught exception or an unhandled rejection runs every safe action, says
 * why on stderr (always) and in the journal (if it can, within a bound), and exits non-zero. The
 * actions also run at every process exit, whatever called process.exit().
 *
 * SIGKILL, an OOM kill or a hang run nothing in-process: the service's ExecStopPost= runs
 * `waystation lock safe`, and the next start drives the lock safe first of all (docs/install.md).
 */
export class ProcessGuard {
  private readonly actions = new Map<string, () => void>();
  private recorder: ((fault: Fault) => Promise<void>) | undefined;
  private dying = false;
  private installed = false;
  private log: Logger | undefined;

  /** A synchronous action that drives an output to its safe level; returns its removal. */
  addSafeAction(name: string, action: () => void): () => void {
    this.actions.set(name, action);
    return () => {
      if (this.actions.get(name) === action) this.actions.delete(name);
    };
  }

  /** How the fault reaches the journal (the station registers it once it has one). */
  setRecorder(recorder: ((fault: Fault) => Promise<void>) | undefined): void {
    this.recorder = recorder;
  }

  /** Runs every safe action, each on its own: one that throws does not keep the next from running. */
  failSafe(): string[] {
    const failed: string[] = [];
    for (const [name, action] of this.actions) {
      try {
        action();
      } catch {
        failed.push(name);
      }
    }
    return failed;
  }

  /** Installs the handlers (once); called again with the logger once there is one. */
  install(log?: Logger): void {
    if (log) this.log = log;
    if (this.installed) return;
    this.installed = true;
    process.on("uncaughtException", (err, origin) =>
      this.die(err, origin === "unhandledRejection" ? "unhandledRejection" : "uncaughtException"),
    );
    process.on("unhandledRejection", (reason) => this.die(reason, "unhandledRejection"));
    process.on("exit", () => this.failSafe());
  }

  private die(err: unknown, origin: FaultOrigin): void {
    const failed = this.failSafe();
    if (this.dying) return; // a second fault while recording the first: the exit is already on its way
    this.dying = true;
    const fault: Fault = {
      origin,
      error: (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500),
      code: isStationError(err) ? err.code : undefined,
    };
    const stack = err instanceof Error && err.stack ? `\n${err.stack}` : "";
    const outputs =
      failed.length === 0 ? "the lock driven to its safe level" : `FAILED to drive: ${failed.join(", ")}`;
    // stderr first and synchronously: whatever happens next, journald has the reason.
    try {
      writeSync(2, `waystation: fatal ${origin}: ${fault.error}; ${outputs}; exiting${stack}\n`);
    } catch {
      // nothing left to tell it to
    }
    this.log?.fatal({ origin, error: fault.error, code: fault.code, failed }, "controller fault: exiting");
    process.exitCode = FAULT_EXIT_CODE;
    const exit = () => process.exit(FAULT_EXIT_CODE);
    setTimeout(exit, RECORD_BOUND_MS);
    const record = this.recorder;
    if (record) record(fault).then(exit, exit);
    else exit();
  }
}
