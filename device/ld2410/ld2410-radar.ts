import { StationError } from "../../config/errors.ts";
import type { ByteLink } from "../ports/byte-link.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import { Listeners } from "../ports/listeners.ts";
import type { PresenceRadar, RadarHealth, RadarReading, RadarStatus } from "../ports/presence-radar.ts";
import {
  Command,
  CommandValue,
  decodeFirmware,
  encodeCommand,
  type RadarAck,
  type RadarReport,
} from "./codec.ts";
import { Ld2410Parser } from "./parser.ts";

export interface Ld2410Options {
  /** no frame for this long while the link is up: `stale` */
  readonly staleMs: number;
  /** identical non-empty reports for this long: `latched` */
  readonly latchMs: number;
  /** how often to try the device path again after an unplug */
  readonly reopenMs: number;
  /** wait for each ACK this long */
  readonly commandTimeoutMs: number;
  /** after a restart the module needs this long before it takes commands */
  readonly restartSettleMs: number;
  /** at most one automatic re-initialisation per this time */
  readonly reinitBackoffMs: number;
  /** engineering reports carry per-gate energies (better latch detection) */
  readonly engineering: boolean;
  /** set on every configure; undefined leaves the module's own values */
  readonly maxGate?: number | undefined;
  readonly noOneS?: number | undefined;
}

export const LD2410_DEFAULTS: Ld2410Options = {
  staleMs: 2000,
  latchMs: 120_000,
  reopenMs: 1000,
  commandTimeoutMs: 1000,
  restartSettleMs: 1500,
  reinitBackoffMs: 60_000,
  engineering: true,
};

interface Pending {
  command: number;
  resolve: (ack: RadarAck) => void;
  reject: (err: Error) => void;
  timer: TimerHandle;
}

/**
 * The LD2410 driver over an injected byte link. It configures the module at every (re)open,
 * watches its output for the module's known failures (silence, latched energies) and restarts
 * it, and reopens the device by itself after an unplug. Health is reported all along; the
 * driver never throws at the station for a missing or misbehaving radar.
 */
export class Ld2410Radar implements PresenceRadar {
  private readonly parser = new Ld2410Parser("host");
  private readonly readings = new Listeners<RadarReading>();
  private readonly statuses = new Listeners<RadarStatus>();
  private health: RadarHealth = "starting";
  private detail: string | undefined;
  private firmware: string | undefined;
  private lastFrameAt = 0;
  private signature = "";
  private signatureSince = 0;
  private lastReinitAt = Number.NEGATIVE_INFINITY;
  private reinits = 0;
  private reopens = 0;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private watchTimer: TimerHandle | undefined;
  private reopenTimer: TimerHandle | undefined;
  private configuring = false;
  private restarting = false;
  private running = false;
  private readonly unsubs: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly link: ByteLink,
    private readonly clock: Clock,
    private readonly opts: Ld2410Options = LD2410_DEFAULTS,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.unsubs.push(
      this.link.onData((chunk) => this.onBytes(chunk)),
      this.link.onClose((err) => this.onLinkClosed(err)),
    );
    this.lastFrameAt = this.clock.monotonic();
    this.scheduleWatch();
    await this.tryOpen();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.watchTimer);
    this.clock.clearTimeout(this.reopenTimer);
    this.failPending(new StationError("RADAR_NO_ANSWER", "radar", "driver stopped"));
    for (const u of this.unsubs.splice(0)) u();
    await this.link.close().catch(() => undefined);
  }

  status(): RadarStatus {
    const s = this.parser.stats;
    return {
      health: this.health,
      detail: this.detail,
      firmware: this.firmware,
      frames: s.frames,
      garbageBytes: s.garbageBytes,
      badFrames: s.badFrames,
      reinits: this.reinits,
      reopens: this.reopens,
    };
  }

  onReading(listener: (reading: RadarReading) => void): () => void {
    return this.readings.add(listener);
  }

  onStatus(listener: (status: RadarStatus) => void): () => void {
    return this.statuses.add(listener);
  }

  async reinitialise(reason: string): Promise<void> {
    this.lastReinitAt = this.clock.monotonic();
    this.reinits++;
    this.detail = `re-initialising: ${reason}`;
    this.emitStatus();
    this.restarting = true;
    try {
      await this.inConfig(async () => {
        await this.command(Command.restart);
      }, false);
    } catch (err) {
      this.detail = `restart not acknowledged (${(err as Error).message}); configuring anyway`;
    }
    // The module reboots, forgets engineering mode and says nothing for a moment.
    await new Promise<void>((r) => this.clock.setTimeout(r, this.opts.restartSettleMs));
    this.signature = "";
    this.lastFrameAt = this.clock.monotonic();
    try {
      if (this.running && this.link.isOpen) await this.configure();
    } finally {
      this.restarting = false;
      this.lastFrameAt = this.clock.monotonic();
    }
  }

  /** Ask the module for its firmware version (enter config, read, leave): it answers, or this rejects. */
  async identify(): Promise<string> {
    if (!this.link.isOpen)
      throw new StationError("RADAR_NO_ANSWER", "radar", `${this.link.path} is not open`);
    let version = "";
    await this.inConfig(async () => {
      const fw = await this.command(Command.readFirmware);
      version = decodeFirmware(fw.data) ?? "unreadable";
    }, true);
    this.firmware = version;
    return version;
  }

  private async tryOpen(): Promise<void> {
    if (!this.running) return;
    try {
      await this.link.open();
    } catch (err) {
      this.setHealth("offline", (err as Error).message);
      this.scheduleReopen();
      return;
    }
    this.parser.reset();
    this.lastFrameAt = this.clock.monotonic();
    if (this.health === "offline") this.setHealth("starting", "reopened");
    await this.configure();
  }

  private scheduleReopen(): void {
    if (!this.running || this.reopenTimer) return;
    this.reopenTimer = this.clock.setTimeout(() => {
      this.reopenTimer = undefined;
      this.reopens++;
      void this.tryOpen();
    }, this.opts.reopenMs);
  }

  private onLinkClosed(err: Error | undefined): void {
    if (!this.running) return;
    this.failPending(new StationError("RADAR_NO_ANSWER", "radar", `${this.link.path} closed`));
    this.setHealth("offline", err ? `unplugged: ${err.message}` : "closed");
    this.scheduleReopen();
  }

  /** Enter config, set the options, read the firmware, leave config. A module that does not answer still streams. */
  private async configure(): Promise<void> {
    const o = this.opts;
    try {
      await this.inConfig(async () => {
        const fw = await this.command(Command.readFirmware);
        this.firmware = decodeFirmware(fw.data) ?? this.firmware;
        if (o.maxGate !== undefined || o.noOneS !== undefined) {
          const gate = o.maxGate ?? 8;
          await this.command(
            Command.setMaxGatesAndNoOne,
            CommandValue.maxGatesAndNoOne(gate, gate, o.noOneS ?? 5),
          );
        }
        await this.command(o.engineering ? Command.engineeringOn : Command.engineeringOff);
      }, true);
      if (this.detail?.startsWith("configuration")) this.detail = undefined;
    } catch (err) {
      this.detail = `configuration failed: ${(err as Error).message}`;
      this.emitStatus();
    }
  }

  private async inConfig(body: () => Promise<void>, end: boolean): Promise<void> {
    const run = async () => {
      this.configuring = true;
      try {
        await this.command(Command.enableConfig, CommandValue.enableConfig());
        await body();
        if (end) await this.command(Command.endConfig);
      } finally {
        this.configuring = false;
        // The module was silent while in config mode: that was not staleness.
        this.lastFrameAt = this.clock.monotonic();
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private command(word: number, value: readonly number[] = []): Promise<RadarAck> {
    return new Promise<RadarAck>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.pending?.timer !== timer) return;
        this.pending = undefined;
        reject(
          new StationError("RADAR_NO_ANSWER", "radar", `no ACK for command 0x${word.toString(16)}`, {
            hint: "check the radar's TX/RX wires and baud rate (256000 by default)",
          }),
        );
      }, this.opts.commandTimeoutMs);
      this.pending = { command: word, resolve, reject, timer };
      this.link.write(encodeCommand(word, value)).catch((err: Error) => {
        this.failPending(err);
      });
    }).then((ack) => {
      if (ack.status !== 0) {
        throw new StationError(
          "RADAR_REFUSED",
          "radar",
          `command 0x${word.toString(16)} refused (${ack.status})`,
        );
      }
      return ack;
    });
  }

  private failPending(err: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.clock.clearTimeout(p.timer);
    p.reject(err);
  }

  private onBytes(chunk: Uint8Array): void {
    for (const f of this.parser.push(chunk)) {
      if (f.kind === "ack") {
        const p = this.pending;
        if (p && p.command === f.ack.command) {
          this.pending = undefined;
          this.clock.clearTimeout(p.timer);
          p.resolve(f.ack);
        }
      } else if (f.kind === "report") {
        this.onReport(f.report);
      }
    }
  }

  private onReport(r: RadarReport): void {
    const now = this.clock.monotonic();
    this.lastFrameAt = now;
    const sig =
      r.target === "none"
        ? ""
        : `${r.target}|${r.movingCm}|${r.movingEnergy}|${r.stillCm}|${r.stillEnergy}|${r.movingGates?.join()}|${r.stillGates?.join()}`;
    if (sig !== this.signature) {
      this.signature = sig;
      this.signatureSince = now;
    }
    const latched = sig !== "" && now - this.signatureSince >= this.opts.latchMs;
    if (latched) {
      this.setHealth("latched", `identical energies for ${Math.round((now - this.signatureSince) / 1000)} s`);
      this.maybeReinit("latched energies");
    } else if (this.health !== "good") {
      this.setHealth("good", undefined);
    }
    this.readings.emit({
      target: r.target,
      movingCm: r.movingCm,
      movingEnergy: r.movingEnergy,
      stillCm: r.stillCm,
      stillEnergy: r.stillEnergy,
      detectCm: r.detectCm,
      atMs: now,
    });
  }

  private scheduleWatch(): void {
    const period = Math.max(50, Math.min(this.opts.staleMs, this.opts.latchMs) / 4);
    this.watchTimer = this.clock.setTimeout(() => {
      if (!this.running) return;
      this.watch();
      this.scheduleWatch();
    }, period);
  }

  private watch(): void {
    if (!this.link.isOpen || this.configuring || this.restarting) return;
    const silent = this.clock.monotonic() - this.lastFrameAt;
    if (silent >= this.opts.staleMs && this.health !== "stale") {
      this.setHealth("stale", `no report for ${Math.round(silent)} ms`);
      this.maybeReinit("no reports");
    } else if (this.health === "stale") {
      this.maybeReinit("no reports");
    }
  }

  private maybeReinit(reason: string): void {
    if (
      this.configuring ||
      this.restarting ||
      this.clock.monotonic() - this.lastReinitAt < this.opts.reinitBackoffMs
    )
      return;
    void this.reinitialise(reason);
  }

  private setHealth(health: RadarHealth, detail: string | undefined): void {
    if (health === this.health && detail === this.detail) return;
    const changed = health !== this.health;
    this.health = health;
    this.detail = detail;
    if (changed) this.emitStatus();
  }

  private emitStatus(): void {
    this.statuses.emit(this.status());
  }
}
