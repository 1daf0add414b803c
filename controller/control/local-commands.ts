import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { EventBus } from "../events/event-bus.ts";
import type { CommandSpec, Principal } from "../subsystem.ts";

/** The answer to one command: `code` is always set (OK on success). */
export interface CommandReply {
  readonly id: string;
  readonly status: "ok" | "error";
  readonly code: string;
  readonly data?: unknown;
}

/** What the control socket needs from whoever runs commands (the command router has the same shape). */
export interface LocalCommandRunner {
  runLocal(
    name: string,
    rawArgs: unknown,
    via: "console" | "cli",
    id?: string,
    progress?: (line: string) => void,
  ): Promise<CommandReply>;
  /** a request that never named a command (bad JSON): refused and audited */
  rejectRequest(id: string | undefined, via: "console" | "cli", detail: string): CommandReply;
  list(): { name: string; summary: string }[];
}

export function principalLabel(p: Principal): string {
  return p.kind === "central" ? `central:${p.keyId}` : `local:${p.via}`;
}

/** Rejections journalled one by one per minute; beyond that they are counted, so a loop cannot fill the journal. */
const REJECTION_EVENTS_PER_MINUTE = 60;

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }) {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join(".")}: ${i.message}` : i.message))
    .join("; ");
}

/**
 * Commands asked for at the station (the CLI through the control socket): look the name up among
 * the specs the subsystems and the composition root registered, validate the arguments with the
 * spec's schema, run it, and audit the outcome as `cmd.executed` / `cmd.rejected` with the local
 * principal. A command that throws is an error reply, never a crash.
 */
export class LocalCommands implements LocalCommandRunner {
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private suppressed = 0;
  /** rejections since start, for the console and tests */
  rejectedCount = 0;
  /**
   * False until the station has started (the socket is claimed first, before the door is
   * ready) and again once it stops: no command may reach a door that is not running.
   */
  accepting = false;

  constructor(
    private readonly specs: () => readonly CommandSpec[],
    private readonly bus: EventBus,
    private readonly monotonic: () => number,
    private readonly log: Logger,
  ) {}

  list(): { name: string; summary: string }[] {
    return this.specs().map((s) => ({ name: s.name, summary: s.summary }));
  }

  async runLocal(
    name: string,
    rawArgs: unknown,
    via: "console" | "cli",
    id: string = randomUUID(),
    progress?: (line: string) => void,
  ): Promise<CommandReply> {
    const principal: Principal = { kind: "local", via };
    if (!this.accepting) {
      return this.reject(
        id,
        name,
        principal,
        "STATION_NOT_READY",
        "the station is starting or stopping; try again",
      );
    }
    const spec = this.specs().find((s) => s.name === name);
    if (!spec) {
      const known = this.specs()
        .map((s) => s.name)
        .join(", ");
      return this.reject(id, name, principal, "UNKNOWN_COMMAND", `no command "${name}"; known: ${known}`);
    }
    const parsed = spec.args.safeParse(rawArgs ?? {});
    if (!parsed.success) return this.reject(id, name, principal, "BAD_ARGS", describeIssues(parsed.error));
    let result: Awaited<ReturnType<CommandSpec["run"]>>;
    try {
      result = await spec.run(parsed.data, { principal, ...(progress ? { progress } : {}) });
    } catch (err) {
      this.log.error({ err, command: name, commandId: id }, "command failed");
      result = {
        status: "error",
        code: "FAILED",
        data: { detail: err instanceof Error ? err.message : String(err) },
      };
    }
    const code = result.code ?? (result.status === "ok" ? "OK" : "FAILED");
    const label = principalLabel(principal);
    this.bus.emit("cmd.executed", { commandId: id, name, principal: label, status: result.status, code });
    this.log.info(
      { command: name, commandId: id, principal: label, status: result.status, code },
      "command ran",
    );
    return { id, status: result.status, code, ...(result.data === undefined ? {} : { data: result.data }) };
  }

  /** A request that never reached a command (bad JSON, no name): audited the same way. */
  rejectRequest(id: string | undefined, via: "console" | "cli", detail: string): CommandReply {
    return this.reject(id ?? randomUUID(), undefined, { kind: "local", via }, "BAD_REQUEST", detail);
  }

  private reject(
    id: string,
    name: string | undefined,
    principal: Principal,
    code: string,
    detail: string,
  ): CommandReply {
    this.rejectedCount++;
    this.log.warn({ code, detail, commandId: id, command: name }, "command rejected");
    const now = this.monotonic();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (++this.inWindow <= REJECTION_EVENTS_PER_MINUTE) {
      const suppressed = this.suppressed;
      this.suppressed = 0;
      this.bus.emit("cmd.rejected", {
        commandId: id,
        ...(name === undefined ? {} : { name }),
        principal: principalLabel(principal),
        source: "local",
        code,
        detail,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
    } else {
      this.suppressed++;
    }
    return { id, status: "error", code, data: { detail } };
  }
}
