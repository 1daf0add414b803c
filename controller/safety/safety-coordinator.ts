import type { Logger } from "pino";
import { z } from "zod";
import type { TimerHandle } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { SmokeDetectorHealth } from "../../device/ports/smoke-detector.ts";
import type { StationState } from "../contract/state.ts";
import { principalName } from "../principal.ts";
import type { CommandSpec, DoctorCheck, StationPorts, Subsystem, SubsystemContext } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";
import {
  type OfflinePolicy,
  SAFE,
  type SafetyCause,
  type SafetyEffect,
  type SafetyState,
  safetyStep,
} from "./safety-machine.ts";

const CAUSES: readonly SafetyCause[] = [
  "cabinet-thermal",
  "cabinet-smoke",
  "smoke",
  "smoke-detector-offline",
];
/** the `source` of the sensor-fault alarm while the smoke detector cannot be read */
const DETECTOR = "smoke-detector";

/**
 * The one place where safety crosses subsystems (safety-machine.ts holds the rules). Signals
 * arrive through `ports.safety` (the cabinet's alarm bits, read first in every bus cycle) and
 * from the smoke detector's line; the effects go out through the narrow ports the other
 * subsystems provide: `outletPower`, `cabinetPower`, `egress`. Everything happens synchronously
 * inside the signal's call, so a cut is complete before the bus reads its next register.
 *
 * Each cause is also an `alarm.raised` (`safety`, source = cause), cleared by the technician's
 * reset: the alarm board keeps it in station-state.json, so a restart finds the latch on file
 * and starts with the power cut (`restored`) until that reset. A smoke detector on the I/O
 * board has a health: unseen for `offlineGraceMs`, the policy `offline` applies (see
 * safety-machine.ts), with a `sensor-fault` alarm (source `smoke-detector`).
 */
export class SafetyCoordinator implements Subsystem {
  readonly name = "safety";
  readonly commands: readonly CommandSpec[];
  readonly doctorChecks: readonly DoctorCheck[];
  private state: SafetyState = SAFE;
  private readonly changes = new Listeners<void>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly ports: StationPorts;
  private readonly log: Logger;
  private resetBy = "technician";
  /** causes whose alarm.raised is not yet cleared (this run's and those restored) */
  private readonly raised = new Set<SafetyCause>();
  private detectorFault = false;
  private graceTimer: TimerHandle | undefined;
  private readonly policy: OfflinePolicy;
  private readonly graceMs: number;

  constructor(private readonly ctx: SubsystemContext) {
    this.ports = ctx.ports;
    this.log = ctx.logger.child({ module: "safety" });
    const sd = ctx.config.safety.smokeDetector;
    this.policy = sd && "board" in sd ? sd.offline : "cut-power";
    this.graceMs = sd && "board" in sd ? sd.offlineGraceMs : 5000;
    ctx.ports.safety = { signal: (cause, active, detail) => this.signal(cause, active, detail) };
    this.doctorChecks = [
      {
        id: "safety",
        title: "safety: no alarm holds the power cut, the smoke detector is read",
        causes: [
          {
            cause: "a safety alarm is active or latched (outlets and cabinet cut)",
            hint: "on site: make safe, then safety-reset (docs/charging-and-swap.md)",
          },
          {
            cause: "the smoke detector on the I/O board is not read",
            hint: "check the I/O board's USB cable, that it runs StandardFirmata, and safety.smokeDetector.board",
          },
        ],
        run: async () => this.check(),
      },
    ];
    this.commands = [
      defineCommand({
        name: "safety-reset",
        summary: "restore outlet and cabinet power after a thermal or smoke alarm (a technician, on site)",
        args: z.object({}).strict(),
        run: async (_a, { principal }) => {
          this.resetBy = principalName(principal);
          const before = this.state;
          this.apply({ type: "reset" });
          if (this.state.active.length > 0)
            return { status: "error", code: "SAFETY_STILL_ACTIVE", data: { causes: this.state.active } };
          return { status: "ok", data: { restored: before.latched } };
        },
      }),
    ];
  }

  signal(cause: SafetyCause, active: boolean, detail?: string): void {
    this.apply({ type: "signal", cause, active, ...(detail ? { detail } : {}) });
  }

  async start(): Promise<void> {
    this.restore();
    const smoke = this.ctx.hardware.power?.smokeDetector;
    if (!smoke) return;
    await smoke.start();
    const where = smoke.health ? "smoke detector on the I/O board" : "smoke detector";
    this.unsubscribers.push(smoke.onEdge((e) => this.signal("smoke", e.active, where)));
    // Smoke already there at boot: cut at once, before the outlets' first read.
    if (smoke.read()) this.signal("smoke", true, `${where} (at start)`);
    if (smoke.health && smoke.onHealth) {
      const watch = (h: SmokeDetectorHealth) => this.onHealth(h);
      this.unsubscribers.push(smoke.onHealth(watch));
      watch(smoke.health());
    }
  }

  async stop(): Promise<void> {
    this.ctx.hardware.clock.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    for (const u of this.unsubscribers.splice(0)) u();
    await this.ctx.hardware.power?.smokeDetector?.stop();
  }

  private check() {
    const st = this.state;
    if (st.active.length > 0 || st.latched)
      return {
        ok: false,
        detail:
          st.active.length > 0 ? `alarm active: ${st.active.join(", ")}` : "power cut after a safety alarm",
        hint: "on site: make safe, then safety-reset (docs/charging-and-swap.md)",
      };
    const h = this.ctx.hardware.power?.smokeDetector?.health?.();
    if (h && !h.online)
      return {
        ok: false,
        detail: `the smoke detector is not read: ${h.detail ?? "I/O board offline"}`,
        hint: "check the I/O board's USB cable, that it runs StandardFirmata, and safety.smokeDetector.board",
      };
    return { ok: true, detail: h ? "normal; the smoke detector on the I/O board is read" : "normal" };
  }

  /** The latch (and the detector's fault) the last run left on file: power cut until the reset. */
  private restore(): void {
    const board = this.ports.alarms;
    if (!board) return;
    for (const c of CAUSES) if (board.adopt("safety", c)) this.raised.add(c);
    // Only a detector with a health can confirm (or end) its fault; else settle() clears it.
    if (this.ctx.hardware.power?.smokeDetector?.health)
      this.detectorFault = board.adopt("sensor-fault", DETECTOR);
    if (this.raised.size === 0) return;
    this.log.error({ causes: [...this.raised] }, "safety alarm latched before the restart: power stays cut");
    this.apply({ type: "restored" });
  }

  /** The board's detector unseen: the policy applies after the grace; seen again: at once. */
  private onHealth(h: SmokeDetectorHealth): void {
    const clock = this.ctx.hardware.clock;
    this.changes.emit();
    if (h.online) {
      clock.clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
      this.apply({ type: "watch", ok: true, policy: this.policy });
      this.clearDetectorFault(); // one restored from before a restart, too
      return;
    }
    if (this.graceTimer) return;
    this.graceTimer = clock.setTimeout(() => {
      this.graceTimer = undefined;
      const now = this.ctx.hardware.power?.smokeDetector?.health?.();
      if (now && !now.online)
        this.apply({
          type: "watch",
          ok: false,
          policy: this.policy,
          ...(now.detail ? { detail: now.detail } : {}),
        });
    }, this.graceMs);
  }

  snapshot(): Partial<StationState> {
    const health = this.ctx.hardware.power?.smokeDetector?.health?.();
    const detector = health && { online: health.online, ...(health.detail ? { detail: health.detail } : {}) };
    return {
      safety: {
        active: [...this.state.active],
        latched: this.state.latched,
        watchLost: this.state.watchLost,
        ...(detector ? { smokeDetector: detector } : {}),
      },
    };
  }

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }

  private apply(input: Parameters<typeof safetyStep>[1]): void {
    const r = safetyStep(this.state, input);
    const changed = r.state !== this.state;
    this.state = r.state;
    for (const e of r.effects) this.effect(e);
    if (changed) this.changes.emit();
  }

  private effect(e: SafetyEffect): void {
    const bus = this.ctx.bus;
    switch (e.type) {
      case "power-cut":
        // Each port is called even if another throws: one broken subsystem must not keep power on.
        for (const port of [this.ports.outletPower, this.ports.cabinetPower]) {
          try {
            port?.cut(e.on, "safety");
          } catch (err) {
            this.log.error({ err }, "a power cut port failed");
          }
        }
        return;
      case "egress":
        this.ports.egress?.request("safety", e.on);
        return;
      case "sounder":
        // The door's fire release drives the local sounder while egress is held.
        return;
      case "alarm":
        this.log.error(
          { cause: e.cause, causes: e.causes, detail: e.detail },
          "SAFETY ALARM: power cut, door released",
        );
        bus.emit("safety.alarm", {
          priority: "critical",
          cause: e.cause,
          causes: [...e.causes],
          ...(e.detail ? { detail: e.detail } : {}),
        });
        // The pair's first half: cleared by the reset, kept on file across a restart.
        this.raised.add(e.cause);
        bus.emit("alarm.raised", {
          alarm: "safety",
          source: e.cause,
          ...(e.detail ? { detail: e.detail } : {}),
        });
        return;
      case "watch-lost":
        this.log.error(
          { detail: e.detail },
          "the smoke detector cannot be read: outlet and cabinet power held off",
        );
        bus.emit("safety.watch-lost", { priority: "high", ...(e.detail ? { detail: e.detail } : {}) });
        this.detectorFault = true;
        bus.emit("alarm.raised", {
          alarm: "sensor-fault",
          source: DETECTOR,
          ...(e.detail ? { detail: e.detail } : {}),
        });
        return;
      case "watch-restored":
        this.log.info("the smoke detector is read again");
        bus.emit("safety.watch-restored", {});
        this.clearDetectorFault();
        return;
      case "signal-cleared":
        bus.emit("safety.signal-cleared", { cause: e.cause, causes: [...e.causes] });
        return;
      case "reset":
        bus.emit("safety.reset", { by: this.resetBy });
        for (const c of [...this.raised]) bus.emit("alarm.cleared", { alarm: "safety", source: c });
        this.raised.clear();
        return;
      case "reset-refused":
        bus.emit("safety.reset-refused", { causes: [...e.causes] });
        return;
    }
  }

  private clearDetectorFault(): void {
    if (!this.detectorFault) return;
    this.detectorFault = false;
    this.ctx.bus.emit("alarm.cleared", { alarm: "sensor-fault", source: DETECTOR });
  }
}
