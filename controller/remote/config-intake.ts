import type { Logger } from "pino";
import type { StationConfig } from "../../config/schema.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { DesiredConfigEnvelopeSchema, type ReportedConfig } from "../contract/config-wire.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { CommandIntakeLink } from "./command-intake.ts";
import type { CommandRouter } from "./command-router.ts";
import {
  diffConfig,
  effectiveConfig,
  type Issue,
  loadDesired,
  overlayDesired,
  redactDiff,
  saveDesired,
  snapshotFile,
} from "./desired-config.ts";
import type { KeyRing } from "./key-ring.ts";
import { restartPaths } from "./live-config.ts";
import { describeIssues, openSigned } from "./signed-message.ts";

export interface ConfigIntakeDeps {
  link: CommandIntakeLink & { onConnect(l: () => void): () => void };
  keys: KeyRing;
  router: CommandRouter;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** the entrance's live reconfiguration; without it every change is a planned restart */
  live?: ((config: StationConfig) => void) | undefined;
}

/**
 * Desired and reported configuration. `config/desired` (retained, signed, versioned) is
 * validated by the station file's own schema over the station file and persisted atomically.
 * A change that touches only live-safe paths (live-config.ts) is applied at once; any other
 * takes effect at a planned restart (those parts are built into running machines once).
 * `config/reported` (retained) says which version runs and how it took effect, or why the
 * desired one was refused, path by path, and flags the technician's local overrides.
 */
export class ConfigIntake {
  private reported: ReportedConfig;
  private current: number;
  /** the config the station runs: the file, the desired overlay, live changes since */
  private running: StationConfig;
  private overrides: string[];
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
    this.running = eff.config;
    this.overrides = eff.overrides;
    if (eff.overrides.length > 0)
      deps.log.warn(
        { paths: eff.overrides },
        "the station file overrides the centre's config at these paths",
      );
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
        fileAtAccept: snapshotFile(this.settings.fileConfig, env.config),
      });
    } catch (err) {
      log.error({ err }, "cannot persist the desired config");
      return this.refuse(
        "CONFIG_NOT_PERSISTED",
        [{ path: "(station)", message: "the data directory cannot be written" }],
        env.version,
      );
    }
    // What changes now: against what runs (an earlier version, live changes), not the file.
    const changes = redactDiff(diffConfig(this.running, r.config));
    const changed = changes.map((c) => c.path);
    const needRestart = restartPaths(changed);
    // A newer version from the centre is the newest decision: it wins over local overrides.
    this.overrides = [];
    if (needRestart.length === 0 && this.deps.live && this.applyLive(r.config)) {
      this.current = env.version;
      this.running = r.config;
      bus.emit("config.changed", {
        version: env.version,
        principal: `central:${opened.kid}`,
        changes,
        restart: false,
      });
      this.reported = this.report({ version: env.version, status: "applied", applied: "live", changed });
      this.publishReported();
      log.info({ version: env.version, changed }, "desired config applied live");
      return;
    }
    bus.emit("config.changed", {
      version: env.version,
      principal: `central:${opened.kid}`,
      changes,
      restart: true,
    });
    this.reported = this.report({
      version: this.current,
      status: "pending-restart",
      applied: "restart",
      desiredVersion: env.version,
      changed,
      restartPaths: needRestart,
    });
    this.publishReported();
    log.warn({ version: env.version, changed: changes.length }, "desired config accepted; planned restart");
    // The restart is a command like any other: audited, and refused where the host cannot restart.
    const restart = this.deps.router.prepare("restart", {});
    if (restart.ok)
      await this.deps.router.run(`config-${env.version}`, restart, { kind: "central", keyId: opened.kid });
  }

  private applyLive(config: StationConfig): boolean {
    try {
      this.deps.live?.(config);
      return true;
    } catch (err) {
      // Nothing half-applied stays: the planned restart builds everything from the new config.
      this.deps.log.error({ err }, "live config change failed; a planned restart applies it");
      return false;
    }
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
    return {
      ...r,
      ...(this.overrides.length > 0 ? { overrides: this.overrides } : {}),
      ts: new Date(this.deps.clock.now()).toISOString(),
    };
  }

  private publishReported(): void {
    this.deps.link.publish(`${this.settings.base}/config/reported`, JSON.stringify(this.reported), {
      qos: 1,
      retain: true,
    });
  }
}
