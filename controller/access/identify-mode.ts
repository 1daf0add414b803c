import { z } from "zod";
import type { CredentialRead } from "../../device/ports/card-reader.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { EventBus } from "../events/event-bus.ts";
import { type CommandResult, type CommandSpec, defineCommand } from "../subsystem.ts";
import type { CredentialStore } from "./credential-store.ts";

/** The longest a technician may hold the readers in identify mode with one command. */
export const IDENTIFY_MAX_S = 300;
export const IDENTIFY_DEFAULT_S = 60;

export type IdentifyEnd = "timeout" | "stopped" | "station-stopped";

/**
 * "Who is this card": while on, a card at a reader is shown (its kind, hash, and who it is
 * enrolled for) and decides nothing: no door opens, no lockout counts. It ends by itself after
 * at most IDENTIFY_MAX_S, so a console left open never leaves a station refusing its workers;
 * a restart ends it too (it is never persisted). Faces are not cards: they are decided as usual.
 */
export class IdentifyMode {
  private untilMs: number | undefined;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly store: CredentialStore,
  ) {}

  /** true while reads are to be identified instead of decided */
  active(): boolean {
    return this.untilMs !== undefined && this.clock.monotonic() < this.untilMs;
  }

  /** seconds left, 0 when off */
  secondsLeft(): number {
    return this.active() ? Math.ceil(((this.untilMs ?? 0) - this.clock.monotonic()) / 1000) : 0;
  }

  start(seconds: number): void {
    const s = Math.min(IDENTIFY_MAX_S, Math.max(1, Math.round(seconds)));
    this.clock.clearTimeout(this.timer);
    this.untilMs = this.clock.monotonic() + s * 1000;
    this.timer = this.clock.setTimeout(() => this.end("timeout"), s * 1000);
    this.bus.emit("reader.identify-started", {
      seconds: s,
      until: new Date(this.clock.now() + s * 1000).toISOString(),
    });
  }

  end(reason: IdentifyEnd): void {
    if (this.untilMs === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.untilMs = undefined;
    // a station stopping says nothing more: its own stop events say it
    if (reason !== "station-stopped") this.bus.emit("reader.identify-ended", { reason });
  }

  /** A read while active: what the store knows of it, as an event; nothing is decided. */
  show(read: CredentialRead): void {
    const entry = this.store.lookup(read.credential);
    this.bus.emit("reader.card-identified", {
      readerId: read.readerId,
      credential: read.credential,
      format: read.format,
      known: entry !== undefined,
      ...(entry ? { personId: entry.personId, role: entry.role, status: entry.status } : {}),
    });
  }

  /** `reader.identify`: on (for N seconds) or off; only from the station itself, never central. */
  command(): CommandSpec {
    return defineCommand({
      name: "reader.identify",
      summary: `"who is this card": reads are shown, not decided (no door opens) for N s (at most ${IDENTIFY_MAX_S})`,
      args: z
        .object({
          active: z.boolean().default(true),
          seconds: z.number().int().min(5).max(IDENTIFY_MAX_S).default(IDENTIFY_DEFAULT_S),
        })
        .strict(),
      run: async ({ active, seconds }, ctx): Promise<CommandResult> => {
        if (ctx.principal.kind !== "local")
          return {
            status: "error",
            code: "LOCAL_ONLY",
            data: { detail: "identify mode is for a technician at the station (console or CLI)" },
          };
        if (active) this.start(seconds);
        else this.end("stopped");
        return { status: "ok", data: { active: this.active(), secondsLeft: this.secondsLeft() } };
      },
    });
  }
}
