import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "../../device/ports/clock.ts";
import type { LocalCommandRunner } from "../control/local-commands.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { CommandResult, CommandSpec, Principal } from "../subsystem.ts";
import { describeIssues, type Rejection, reject } from "./signed-message.ts";

/** The reply to every command, accepted or not: `reply/<id>` and the MQTT 5 response topic. */
export interface CommandReply {
  id: string | null;
  status: "ok" | "error";
  code: string;
  data?: unknown;
}

export function principalLabel(p: Principal): string {
  return p.kind === "central" ? `central:${p.keyId}` : `local:${p.via}${p.user ? `:${p.user}` : ""}`;
}

/** Rejections journalled one by one, per minute; beyond it they are counted, so a flood cannot fill the journal. */
const REJECTION_EVENTS_PER_MINUTE = 60;

export interface Prepared {
  ok: true;
  name: string;
  run(principal: Principal, progress?: (line: string) => void): Promise<CommandResult>;
}

/**
 * The one path every command takes, remote (signed, from MQTT) or local (the control socket, the
 * console): look the name up among the specs the subsystems registered, validate the arguments
 * with the spec's schema, run it, and audit the outcome as an event. Adding a command is adding a
 * spec to a subsystem's `commands`.
 */
export class CommandRouter implements LocalCommandRunner {
  private readonly specs = new Map<string, CommandSpec>();
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private suppressed = 0;
  /** rejections since start, for the console and tests */
  rejectedCount = 0;
  /**
   * False until the station has started (the control socket is claimed first, before the door
   * is ready) and again once it stops: no command may reach a door that is not running.
   */
  accepting = false;

  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  register(specs: readonly CommandSpec[]): void {
    for (const spec of specs) {
      if (this.specs.has(spec.name)) throw new Error(`command "${spec.name}" is registered twice`);
      this.specs.set(spec.name, spec);
    }
  }

  list(): { name: string; summary: string }[] {
    return [...this.specs.values()].map((s) => ({ name: s.name, summary: s.summary }));
  }

  /** Name and arguments checked; nothing has happened yet. */
  prepare(name: string, rawArgs: unknown, labels: Partial<Rejection> = {}): Prepared | Rejection {
    const spec = this.specs.get(name);
    if (!spec) {
      return reject("UNKNOWN_COMMAND", `no command "${name}"; known: ${[...this.specs.keys()].join(", ")}`, {
        ...labels,
        name,
      });
    }
    const parsed = spec.args.safeParse(rawArgs ?? {});
    if (!parsed.success) return reject("BAD_ARGS", describeIssues(parsed.error), { ...labels, name });
    const args = parsed.data;
    return {
      ok: true,
      name,
      run: (principal, progress) => spec.run(args, { principal, ...(progress ? { progress } : {}) }),
    };
  }

  /** Run a prepared command and audit it. A command that throws is an error reply, never a crash. */
  async run(
    id: string,
    prepared: Prepared,
    principal: Principal,
    progress?: (line: string) => void,
  ): Promise<CommandReply> {
    if (!this.accepting) {
      const why = reject("STATION_NOT_READY", "the station is starting or stopping; try again", {
        id,
        name: prepared.name,
      });
      return this.rejected(why, principal.kind === "central" ? "mqtt" : "local", principal);
    }
    let result: CommandResult;
    try {
      result = await prepared.run(principal, progress);
    } catch (err) {
      this.log.error({ err, command: prepared.name, commandId: id }, "command failed");
      result = {
        status: "error",
        code: "FAILED",
        data: { detail: err instanceof Error ? err.message : String(err) },
      };
    }
    const code = result.code ?? (result.status === "ok" ? "OK" : "FAILED");
    this.bus.emit("cmd.executed", {
      commandId: id,
      name: prepared.name,
      principal: principalLabel(principal),
      status: result.status,
      code,
    });
    this.log.info(
      {
        command: prepared.name,
        commandId: id,
        principal: principalLabel(principal),
        status: result.status,
        code,
      },
      "command ran",
    );
    return { id, status: result.status, code, ...(result.data === undefined ? {} : { data: result.data }) };
  }

  /** The technician's path: the same checks and audit, with a local principal. */
  runLocal(
    name: string,
    rawArgs: unknown,
    via: "console" | "cli",
    id: string = randomUUID(),
    progress?: (line: string) => void,
  ): Promise<CommandReply> {
    return this.runAs({ kind: "local", via }, name, rawArgs, id, progress);
  }

  /** A local command on behalf of someone named (a console user): audited with their name. */
  async runAs(
    principal: Principal & { kind: "local" },
    name: string,
    rawArgs: unknown,
    id: string = randomUUID(),
    progress?: (line: string) => void,
  ): Promise<CommandReply> {
    const prepared = this.prepare(name, rawArgs, { id });
    if (!prepared.ok) return this.rejected(prepared, "local", principal);
    return this.run(id, prepared, principal, progress);
  }

  /** A local request that never reached a command (bad JSON, no name): audited the same way. */
  rejectRequest(id: string | undefined, via: "console" | "cli", detail: string): CommandReply {
    const rej = reject("BAD_REQUEST", detail, { id: id ?? randomUUID() });
    return this.rejected(rej, "local", { kind: "local", via });
  }

  /** Audit a rejection (rate-limited) and make its reply. */
  rejected(rej: Rejection, source: "mqtt" | "local", principal?: Principal): CommandReply {
    this.rejectedCount++;
    this.log.warn(
      { code: rej.code, detail: rej.detail, commandId: rej.id, kid: rej.kid, source },
      "command rejected",
    );
    if (this.admitRejectionEvent()) {
      const suppressed = this.suppressed;
      this.suppressed = 0;
      this.bus.emit("cmd.rejected", {
        ...(rej.id ? { commandId: rej.id } : {}),
        ...(rej.name ? { name: rej.name } : {}),
        ...(rej.kid ? { kid: rej.kid } : {}),
        ...(principal ? { principal: principalLabel(principal) } : {}),
        source,
        code: rej.code,
        detail: rej.detail,
        ...(suppressed > 0 ? { suppressed } : {}),
      });
    } else {
      this.suppressed++;
    }
    return { id: rej.id ?? null, status: "error", code: rej.code, data: { detail: rej.detail } };
  }

  private admitRejectionEvent(): boolean {
    const now = this.clock.monotonic();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    return ++this.inWindow <= REJECTION_EVENTS_PER_MINUTE;
  }
}
