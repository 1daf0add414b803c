import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { JournalStatus, LinkStatus, Telemetry } from "../contract/telemetry.ts";

export interface TelemetrySettings {
  heartbeatS: number;
  minIntervalMs: number;
  backlogStep: number;
}

/**
 * A subsystem's part of the telemetry: its fields, and under `watch` a short key per thing worth
 * reporting at once when it changes (e.g. `"outlets.state": "phone-1:charging,..."`); the key's
 * name is what `changed` then lists.
 */
export interface TelemetryPart {
  fields: Partial<Omit<Telemetry, "stationId" | "bootId" | "ts" | "reason" | "changed" | "journal" | "link">>;
  watch?: Record<string, string>;
}

export interface TelemetrySample {
  journal: JournalStatus;
  link: LinkStatus;
  /** the subsystems' parts, merged */
  parts?: TelemetryPart;
}

type Watched = {
  health: string;
  dropped: number;
  connected: boolean;
  backlog: number;
  keys?: Record<string, string>;
};

/** The subsystems' parts as one: fields side by side, watch keys side by side. */
export function mergeParts(parts: readonly (TelemetryPart | undefined)[]): TelemetryPart {
  const merged: TelemetryPart = { fields: {}, watch: {} };
  for (const p of parts) {
    if (!p) continue;
    Object.assign(merged.fields, p.fields);
    Object.assign(merged.watch ?? {}, p.watch);
  }
  return merged;
}

/**
 * What is worth reporting at once, comparing a sample with the last one reported: the journal's
 * health, its dropped counter, the link coming or going, and the backlog moving by a step.
 */
export function changesSince(last: Watched, now: Watched, backlogStep: number): string[] {
  const changed: string[] = [];
  if (now.health !== last.health) changed.push("journal.health");
  if (now.dropped !== last.dropped) changed.push("journal.dropped");
  if (now.connected !== last.connected) changed.push("link.connected");
  if (Math.abs(now.backlog - last.backlog) >= backlogStep) changed.push("journal.backlog");
  const names = new Set([...Object.keys(last.keys ?? {}), ...Object.keys(now.keys ?? {})]);
  for (const name of [...names].sort()) if (last.keys?.[name] !== now.keys?.[name]) changed.push(name);
  return changed;
}

/**
 * `telemetry`: a heartbeat every `heartbeatS`, and between heartbeats a report by exception
 * whenever something watched changed, at most once per `minIntervalMs`.
 */
export class TelemetryReporter {
  private heartbeat: TimerHandle | undefined;
  private poll: TimerHandle | undefined;
  private last: Watched | undefined;
  private readonly startedAt: number;

  constructor(
    private readonly settings: TelemetrySettings,
    private readonly ids: { stationId: string; bootId: string },
    private readonly sample: () => TelemetrySample,
    private readonly publish: (t: Telemetry) => boolean,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.monotonic();
  }

  start(): void {
    this.scheduleHeartbeat();
    this.schedulePoll();
  }

  stop(): void {
    this.clock.clearTimeout(this.heartbeat);
    this.clock.clearTimeout(this.poll);
    this.heartbeat = undefined;
    this.poll = undefined;
  }

  /** Send a heartbeat now (e.g. right after connecting). */
  beat(): void {
    this.send("heartbeat", []);
  }

  private scheduleHeartbeat(): void {
    this.heartbeat = this.clock.setTimeout(() => {
      // A change the poll has not reported yet is said here: the heartbeat becomes the last report.
      const s = this.sample();
      this.send(
        "heartbeat",
        this.last ? changesSince(this.last, watched(s), this.settings.backlogStep) : [],
        s,
      );
      this.scheduleHeartbeat();
    }, this.settings.heartbeatS * 1000);
  }

  private schedulePoll(): void {
    this.poll = this.clock.setTimeout(() => {
      const s = this.sample();
      const now = watched(s);
      const changed = this.last ? changesSince(this.last, now, this.settings.backlogStep) : [];
      if (changed.length > 0) this.send("change", changed, s);
      this.schedulePoll();
    }, this.settings.minIntervalMs);
  }

  private send(reason: Telemetry["reason"], changed: string[], s = this.sample()): void {
    const mem = process.memoryUsage();
    const message: Telemetry = {
      ...s.parts?.fields,
      stationId: this.ids.stationId,
      bootId: this.ids.bootId,
      ts: new Date(this.clock.now()).toISOString(),
      reason,
      changed,
      uptimeS: Math.round((this.clock.monotonic() - this.startedAt) / 100) / 10,
      journal: s.journal,
      link: s.link,
      process: { rssMb: mb(mem.rss), heapUsedMb: mb(mem.heapUsed) },
    };
    // Only what reached the broker counts as reported; otherwise the change is reported later.
    if (this.publish(message)) this.last = watched(s);
  }
}

function watched(s: TelemetrySample): Watched {
  return {
    health: s.journal.health,
    dropped: s.journal.dropped,
    connected: s.link.connected,
    backlog: s.journal.backlog,
    ...(s.parts?.watch ? { keys: s.parts.watch } : {}),
  };
}

function mb(bytes: number): number {
  return Math.round(bytes / 104857.6) / 10;
}
