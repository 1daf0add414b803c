import type { Logger } from "pino";
import { BusScheduler } from "../../device/modbus/bus-scheduler.ts";
import { RtuMaster } from "../../device/modbus/rtu-master.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { StationState } from "../contract/state.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { DoctorCheck, Subsystem, SubsystemContext } from "../subsystem.ts";

interface Bus {
  id: string;
  master: RtuMaster;
  scheduler: BusScheduler;
}

/**
 * The station's RS-485 buses: one master and one scheduler per bus, shared by the outlets and the
 * cabinet on it (provided as `ports.modbus`). Device and line changes become events.
 */
export class ModbusSubsystem implements Subsystem {
  readonly name = "modbus";
  readonly doctorChecks: readonly DoctorCheck[];
  private readonly buses: Bus[] = [];
  private readonly changes = new Listeners<void>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly log: Logger;
  private readonly bus: EventBus;

  constructor(ctx: SubsystemContext) {
    this.log = ctx.logger.child({ module: "modbus" });
    this.bus = ctx.bus;
    const links = ctx.hardware.power?.buses;
    for (const b of ctx.config.modbus) {
      const link = links?.get(b.id);
      if (!link) {
        this.log.warn({ bus: b.id }, "no link for this bus: its devices are not polled");
        continue;
      }
      const master = new RtuMaster(link, ctx.hardware.clock, {
        baud: b.baud,
        timeoutMs: b.timeoutMs,
        retries: b.retries,
        offlineAfter: b.offlineAfter,
        reopenMs: b.reopenMs,
      });
      this.buses.push({
        id: b.id,
        master,
        scheduler: new BusScheduler(master, ctx.hardware.clock, {
          minCycleMs: b.minCycleMs,
          safetyReadsPerCycle: b.safetyReadsPerCycle,
        }),
      });
    }
    ctx.ports.modbus = { scheduler: (id) => this.buses.find((b) => b.id === id)?.scheduler };
    this.doctorChecks = this.buses.map((b) => ({
      id: `modbus.${b.id}`,
      title: `RS-485 bus ${b.id}: the line is open and every device answers`,
      causes: [
        { cause: "the serial line is not open", hint: "check the USB–RS485 adapter and modbus[].path" },
        {
          cause: "a device on the bus does not answer",
          hint: "check that device's A/B wires, its address (holding register 0x0002 on a PZEM) and the 120 Ω terminator",
        },
      ],
      run: async () => {
        if (!b.master.linkUp)
          return {
            ok: false,
            detail: "the line is not open",
            hint: "check the USB–RS485 adapter and modbus[].path",
          };
        const down = [...b.master.stats()]
          .filter(([, d]) => !d.online)
          .map(([u, d]) => `${u} (${d.lastError ?? "?"})`);
        const cycle = b.scheduler.lastCycle;
        if (down.length > 0)
          return {
            ok: false,
            detail: `no answer from unit ${down.join(", ")}`,
            hint: "check that device's A/B wires, its address (holding register 0x0002 on a PZEM) and the 120 Ω terminator",
          };
        return {
          ok: true,
          detail: `${b.master.stats().size} devices answer; last cycle ${Math.round(cycle?.durationMs ?? 0)} ms`,
        };
      },
    }));
  }

  async start(): Promise<void> {
    for (const b of this.buses) {
      this.unsubscribers.push(
        b.master.onDevice((c) => {
          if (c.online) this.bus.emit("modbus.device-online", { bus: b.id, unit: c.unit });
          else
            this.bus.emit("modbus.device-offline", {
              bus: b.id,
              unit: c.unit,
              ...(c.detail ? { detail: c.detail } : {}),
            });
          this.changes.emit();
        }),
        b.master.onLink((c) => {
          if (c.up) this.bus.emit("modbus.link-up", { bus: b.id });
          else this.bus.emit("modbus.link-down", { bus: b.id, ...(c.detail ? { detail: c.detail } : {}) });
          this.log[c.up ? "info" : "warn"](
            { bus: b.id, detail: c.detail },
            c.up ? "bus line open" : "bus line down",
          );
          this.changes.emit();
        }),
      );
      await b.master.start();
      b.scheduler.start();
    }
  }

  async stop(): Promise<void> {
    for (const b of [...this.buses].reverse()) {
      await b.scheduler.stop();
      await b.master.stop();
    }
    for (const u of this.unsubscribers.splice(0)) u();
  }

  snapshot(): Partial<StationState> {
    if (this.buses.length === 0) return {};
    const modbus: NonNullable<StationState["modbus"]> = {};
    for (const b of this.buses) {
      const devices: NonNullable<StationState["modbus"]>[string]["devices"] = {};
      for (const [unit, d] of b.master.stats())
        devices[String(unit)] = {
          online: d.online,
          requests: d.requests,
          timeouts: d.timeouts,
          crcErrors: d.crcErrors,
          exceptions: d.exceptions,
        };
      modbus[b.id] = {
        linkUp: b.master.linkUp,
        linkErrors: b.master.linkErrors,
        ...(b.scheduler.lastCycle ? { lastCycleMs: Math.round(b.scheduler.lastCycle.durationMs) } : {}),
        devices,
      };
    }
    return { modbus };
  }

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }
}
