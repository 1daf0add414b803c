import type { Logger } from "pino";
import { z } from "zod";
import { Listeners } from "../../device/ports/listeners.ts";
import type { StationState } from "../contract/state.ts";
import { principalName } from "../principal.ts";
import type { CommandSpec, StationPorts, Subsystem, SubsystemContext } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";
import { SAFE, type SafetyCause, type SafetyEffect, type SafetyState, safetyStep } from "./safety-machine.ts";

/**
 * The one place where safety crosses subsystems (safety-machine.ts holds the rules). Signals
 * arrive through `ports.safety` (the cabinet's alarm bits, read first in every bus cycle) and
 * from the smoke detector's line; the effects go out through the narrow ports the other
 * subsystems provide: `outletPower`, `cabinetPower`, `egress`. Everything happens synchronously
 * inside the signal's call, so a cut is complete before the bus reads its next register.
 */
export class SafetyCoordinator implements Subsystem {
  readonly name = "safety";
  readonly commands: readonly CommandSpec[];
  private state: SafetyState = SAFE;
  private readonly changes = new Listeners<void>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly ports: StationPorts;
  private readonly log: Logger;
  private resetBy = "technician";

  constructor(private readonly ctx: SubsystemContext) {
    this.ports = ctx.ports;
    this.log = ctx.logger.child({ module: "safety" });
    ctx.ports.safety = { signal: (cause, active, detail) => this.signal(cause, active, detail) };
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
    const smoke = this.ctx.hardware.power?.smokeDetector;
    if (!smoke) return;
    await smoke.start();
    this.unsubscribers.push(smoke.onEdge((e) => this.signal("smoke", e.active, "smoke detector")));
    // Smoke already there at boot: cut at once, before the outlets' first read.
    if (smoke.read()) this.signal("smoke", true, "smoke detector (at start)");
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    await this.ctx.hardware.power?.smokeDetector?.stop();
  }

  snapshot(): Partial<StationState> {
    return { safety: { active: [...this.state.active], latched: this.state.latched } };
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
        return;
      case "signal-cleared":
        bus.emit("safety.signal-cleared", { cause: e.cause, causes: [...e.causes] });
        return;
      case "reset":
        bus.emit("safety.reset", { by: this.resetBy });
        return;
      case "reset-refused":
        bus.emit("safety.reset-refused", { causes: [...e.causes] });
        return;
    }
  }
}
