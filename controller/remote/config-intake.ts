import type { Logger } from "pino";
import type { StationConfig } from "../../config/schema.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { DesiredConfigEnvelopeSchema, type ReportedConfig } from "../contract/config-wire.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { CommandIntakeLink } from "./command-intake.ts";
import type { CommandRouter } from "./command-router.ts";
import {
  effectiveConfig,
  type Issue,
  loadDesired,
  overlayDesired,
  redactDiff,
  saveDesired,
} from "./desired-config.ts";
import type { KeyRing } from "./key-ring.ts";
import { describeIssues, openSigned } from "./signed-message.ts";

export interface ConfigIntakeDeps {
  link: CommandIntakeLink & { onConnect(l: () => void): () => void };
  keys: KeyRing;
  router: CommandRouter;
  bus: EventBus;
  clock: Clock;
  log: Logger;
}

/**
 * Desired and reported configuration. `config/desired` (retained, signed, versioned) is
 * validated by the station file's own schema over the station file, persisted atomically, and
 * takes effect at a planned restart (the controller builds the door and the rules from the
 * config once; no section is swapped under a running door). `config/reported` (retained) says
 * which version runs, or why the desired one was refused, path by path.
 */
export class ConfigIntake {
  private reported: ReportedConfig;
  private current: number;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly settings: {
      stationId: string;
      base: string;
      dataDir: string;
      fileConfig: StationConfig;
      maxMessageBytes: number;
    },
    private readonly deps: ConfigIntakeDeps,
  ) {
    // What boot ran (scripts/commands/station.ts overlays the same way): a persisted desired
    // config that no longer validates against the station file is reported, not run.
    const eff = effectiveConfig(settings.fileConfig);
    const stored = loadDesired(settings.dataDir);
    this.current = eff.desired?.version ?? 0;
    this.reported = eff.errors
      ? this.report({ version: 0, status: "rejected", desiredVersion: stored?.version, errors: eff.errors })
      : this.report({ version: this.current, status: this.current > 0 ? "applied" : "file-only" });
  }

  get version(): number {
    return this.current;
  }

  start(): void {
    const { link } = this.deps;
    this.unsubscribers.push(link.onConnect(() => this.publishReported()));
    link.subscribe(`${this.settings.base}/config/desired`, (_topic, payload) => {
      this.handle(payload).catch((err) => this.deps.log.error({ err }, "desired config handling failed"));
    });
  }

  stop(): void {
    for (const u of this.unsubscribers.splice(0)) u();
  }

  async handle(payload: Buffer): Promise<void> {
    const { bus, log } = this.deps;
    if (payload.length === 0) return; // a cleared retained message
    const opened = openSigned(payload, this.deps.keys, this.settings.maxMessageBytes);
    if (!opened.ok) return this.refuse(opened.code, [{ path: "(message)", message: opened.detail }]);
    const parsed = DesiredConfigEnvelopeSchema.safeParse(opened.body);
    if (!parsed.success)
      return this.refuse("BAD_ENVELOPE", [{ path: "(envelope)", message: describeIssues(parsed.error) }]);
    const env = parsed.data;
    if (env.station !== this.settings.stationId) {
      return this.refuse(
        "WRONG_STATION",
        [{ path: "station", message: `addressed to ${env.station}` }],
        env.version,
      );
    }
    // The retained copy of what already runs comes back at every connect: nothing to do.
    if (env.version === this.current) return;
    if (env.version < this.current) {
      return this.refuse(
        "STALE",
        [{ path: "version", message: `older than ${this.current}, which runs` }],
        env.version,
      );
    }
    const r = overlayDesired(this.settings.fileConfig, env.config);
    if (!r.ok) return this.refuse("CONFIG_INVALID", r.errors, env.version);
    try {
      saveDesired(this.settings.dataDir, {
        version: env.version,
        id: env.id,
        kid: opened.kid,
        config: env.config,
      });
    } catch (err) {
      log.error({ err }, "cannot persist the desired config");
      return this.refuse(
        "CONFIG_NOT_PERSISTED",
        [{ path: "(station)", message: "the data directory cannot be written" }],
        env.version,
      );
    }
    const changes = redactDiff(r.changes);
    bus.emit("config.changed", {
      version: env.version,
      principal: `central:${opened.kid}`,
      changes,
      restart: true,
    });
    this.reported = this.report({
      version: this.current,
      status: "pending-restart",
      desiredVersion: env.version,
      changed: changes.map((c) => c.path),
    });
    this.publishReported();
    log.warn({ version: env.version, changed: changes.length }, "desired config accepted; planned restart");
    // The restart is a command like any other: audited, and refused where the host cannot restart.
    const restart = this.deps.router.prepare("restart", {});
    if (restart.ok)
      await this.deps.router.run(`config-${env.version}`, restart, { kind: "central", keyId: opened.kid });
  }

  private refuse(code: string, errors: Issue[], version?: number): void {
    this.deps.bus.emit("config.rejected", { ...(version === undefined ? {} : { version }), code, errors });
    this.deps.log.warn({ code, errors, version }, "desired config refused");
    this.reported = this.report({
      version: this.current,
      status: "rejected",
      ...(version === undefined ? {} : { desiredVersion: version }),
      errors,
    });
    this.publishReported();
  }

  private report(r: Omit<ReportedConfig, "ts">): ReportedConfig {
    return { ...r, ts: new Date(this.deps.clock.now()).toISOString() };
  }

  private publishReported(): void {
    this.deps.link.publish(`${this.settings.base}/config/reported`, JSON.stringify(this.reported), {
      qos: 1,
      retain: true,
    });
  }
}
