import type { Logger } from "pino";
import type { Clock } from "../../device/ports/clock.ts";
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
  return p.kind === "central" ? `central:${p.keyId}` : `local:${p.via}`;
}

/** Rejections journalled one by one, per minute; beyond it they are counted, so a flood cannot fill the journal. */
const REJECTION_EVENTS_PER_MINUTE = 60;

export interface Prepared {
  ok: true;
  name: string;
  run(principal: Principal): Promise<CommandResult>;
}

/**
 * The one path every command takes, remote or local: look the name up among the specs the
 * subsystems registered, validate the arguments with the spec's schema, run it, and audit the
 * outcome as an event. Adding a command is adding a spec to a subsystem's `commands`.
 */
export class CommandRouter {
  private readonly specs = new Map<string, CommandSpec>();
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

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
    return { ok: true, name, run: (principal) => spec.run(args, { principal }) };
  }

  /** Run a prepared command and audit it. A command that throws is an error reply, never a crash. */
  async run(id: string, prepared: Prepared, principal: Principal): Promise<CommandReply> {
    let result: CommandResult;
    try {
      result = await prepared.run(principal);
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
  async runLocal(name: string, rawArgs: unknown, via: "console" | "cli", id: string): Promise<CommandReply> {
    const principal: Principal = { kind: "local", via };
    const prepared = this.prepare(name, rawArgs, { id });
    if (!prepared.ok) return this.rejected(prepared, "local", principal);
    return this.run(id, prepared, principal);
  }

  /** Audit a rejection (rate-limited) and make its reply. */
  rejected(rej: Rejection, source: "mqtt" | "local", principal?: Principal): CommandReply {
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
