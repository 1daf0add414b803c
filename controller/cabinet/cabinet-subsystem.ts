import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { isStationError, type StationError } from "../../config/errors.ts";
import type { CabinetConfig } from "../../config/sections/cabinet.ts";
import {
  decodeSlotBlocks,
  decodeStatus,
  powerCommand,
  type SlotView,
  slotCommand,
  slotRequests,
  statusRequest,
} from "../../device/cabinet/cabinet-map.ts";
import type { BusPriority, BusScheduler } from "../../device/modbus/bus-scheduler.ts";
import type { ModbusRequest } from "../../device/modbus/rtu-codec.ts";
import type { Answer } from "../../device/modbus/rtu-master.ts";
import type { Clock } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { StationState } from "../contract/state.ts";
import type { EventBus } from "../events/event-bus.ts";
import { Occupant, type Person } from "../power/occupant.ts";
import { personArgs, personFrom, principalName } from "../principal.ts";
import type { CommandSpec, SelftestStep, Subsystem, SubsystemContext } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";
import { cabinetSelftestSteps } from "./cabinet-selftest.ts";
import { type CabinetRecord, CabinetStore } from "./cabinet-store.ts";
import { SlotQuarantines } from "./slot-quarantines.ts";
import { applySwapEffect } from "./swap-events.ts";
import { NO_SWAP, type SwapInput, type SwapSettings, swapStep } from "./swap-machine.ts";

/** how long a selftest step waits for a slot to read as commanded (a poll cycle is about a second) */
const SELFTEST_READ_MS = 5000;
/** status reads failed in a row before the cabinet counts as offline */
const OFFLINE_AFTER = 3;

/**
 * The battery-swap cabinet on a Modbus bus: its alarm bits read first in every cycle (into the
 * safety coordinator), its slots after the meters; abnormal batteries quarantined; the swap as a
 * pure machine (swap-machine.ts) whose state is persisted after every step.
 */
export class CabinetSubsystem implements Subsystem {
  readonly name = "cabinet";
  readonly commands: readonly CommandSpec[];
  readonly selftestSteps: readonly SelftestStep[];
  private readonly cfg: CabinetConfig;
  private readonly settings: SwapSettings;
  private readonly store: CabinetStore;
  private readonly quarantine: SlotQuarantines;
  private record: CabinetRecord = { swap: NO_SWAP, quarantined: [] };
  private slots: SlotView[] = [];
  private pendingSlots: SlotView[] = [];
  private lastSlotsSeen = "";
  private resumePending = false;
  private online = true;
  private statusFailures = 0;
  private status = { thermal: false, smoke: false, mains: true };
  private powerCut = false;
  private readonly occupant: Occupant;
  private readonly changes = new Listeners<void>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly log: Logger;

  constructor(
    private readonly ctx: SubsystemContext,
    cfg: CabinetConfig,
  ) {
    this.cfg = cfg;
    this.clock = ctx.hardware.clock;
    this.bus = ctx.bus;
    this.log = ctx.logger.child({ module: "cabinet" });
    this.store = new CabinetStore(resolve(ctx.config.dataDir, cfg.stateFile));
    this.quarantine = new SlotQuarantines(this.name, ctx.ports.restart, this.clock, this.log);
    this.settings = {
      depositMs: cfg.timeouts.depositS * 1000,
      takeMs: cfg.timeouts.takeS * 1000,
      doorOpenMs: cfg.timeouts.doorOpenS * 1000,
      minIssueSocPct: cfg.minIssueSocPct,
      maxTempC: cfg.maxTempC,
    };
    this.occupant = new Occupant(
      ctx.bus,
      this.clock,
      (ctx.config.outlets?.occupantWindowMin ?? 240) * 60_000,
    );
    ctx.ports.cabinetPower = { cut: (active) => this.cutPower(active) };
    this.commands = [
      defineCommand({
        name: "swap",
        summary: "start a battery swap for a worker (default: the person the door let in last)",
        args: z
          .object({
            ...personArgs,
          })
          .strict(),
        run: async (a) => this.requestSwap(personFrom(a)),
      }),
      defineCommand({
        name: "release-battery",
        summary: "release a quarantined battery: its slot opens for the technician to take it out",
        args: z.object({ slot: z.number().int().min(1) }).strict(),
        run: async (a, { principal }) => this.release(a.slot, principalName(principal)),
      }),
      defineCommand({
        name: "swap-cancel",
        summary: "abandon the swap in progress (a technician, after checking the slots)",
        args: z.object({}).strict(),
        run: async () => {
          this.swap({ type: "cancel", atMs: this.clock.monotonic() });
          return { status: "ok" };
        },
      }),
    ];
    this.selftestSteps = cabinetSelftestSteps(
      {
        slotCount: cfg.slots,
        slots: () => this.slots,
        online: () => this.online,
        quarantined: (slot) => this.quarantinedSlots().includes(slot),
        busy: () =>
          this.record.swap.step !== "idle"
            ? "a swap is in progress"
            : this.powerCut
              ? "the cabinet's power is held off by a safety alarm"
              : undefined,
        unlock: (slot) => this.unlockSlot(slot),
        onRead: (l) => this.changes.add(l),
      },
      this.clock,
      SELFTEST_READ_MS,
    );
  }

  requestSwap(person?: Person) {
    const p = person ?? this.occupant.current();
    if (!p) return { status: "error" as const, code: "NO_OCCUPANT" };
    const refuse = (reason: "cabinet-offline" | "station-safety") => {
      this.bus.emit("swap.refused", { credential: p.credential, reason });
      return { status: "error" as const, code: reason.toUpperCase().replaceAll("-", "_") };
    };
    if (!this.online || this.slots.length === 0) return refuse("cabinet-offline");
    if (this.powerCut) return refuse("station-safety");
    const before = this.record.swap;
    this.swap({
      type: "request",
      swapId: randomUUID(),
      credential: p.credential,
      ...(p.personId ? { personId: p.personId } : {}),
      slots: this.slots,
      quarantined: this.quarantinedSlots(),
      atMs: this.clock.monotonic(),
      at: new Date(this.clock.now()).toISOString(),
    });
    return this.record.swap === before
      ? { status: "error" as const, code: "CABINET_REFUSED" }
      : {
          status: "ok" as const,
          data: { swapId: this.record.swap.swapId, slot: this.record.swap.depositSlot },
        };
  }

  release(slot: number, by: string) {
    const q = this.quarantine.remove(slot);
    if (!q) return { status: "error" as const, code: "SLOT_NOT_QUARANTINED" };
    this.unlockSlot(slot);
    this.bus.emit("cabinet.battery-released", { slot, batteryId: q.batteryId, by });
    this.changes.emit();
    return { status: "ok" as const };
  }

  async start(): Promise<void> {
    const loaded = this.store.load();
    if (loaded.problem)
      this.log.error(
        { file: this.store.file, err: loaded.problem },
        "swap state unreadable: starting without it",
      );
    this.record = { swap: loaded.record.swap, quarantined: [] };
    this.quarantine.restore(loaded.record.quarantined);
    this.resumePending = this.record.swap.step !== "idle";
    const relay = this.ctx.hardware.power?.cabinetPowerRelay;
    await relay?.start();
    relay?.write(!this.powerCut);
    this.occupant.start();
    const sched = this.scheduler();
    if (!sched) {
      this.log.error({ bus: this.cfg.bus }, "the cabinet's bus is not configured");
      return;
    }
    const map = this.cfg.map;
    this.unsubscribers.push(
      sched.add({
        id: "cabinet:status",
        priority: "safety",
        request: statusRequest(this.cfg.address, map),
        onResult: (r) => this.onStatus(r),
      }),
    );
    const reads = slotRequests(this.cfg.address, this.cfg.slots, map);
    reads.forEach(({ first, req }, i) => {
      this.unsubscribers.push(
        sched.add({
          id: `cabinet:slots:${first}`,
          priority: "other",
          request: req,
          onResult: (r) => this.onSlots(first, r, i === reads.length - 1),
        }),
      );
    });
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    this.occupant.stop();
    await this.ctx.hardware.power?.cabinetPowerRelay?.stop();
  }

  snapshot(): Partial<StationState> {
    const q = this.quarantinedSlots();
    const s = this.record.swap;
    return {
      cabinet: {
        online: this.online,
        powered: !this.powerCut,
        thermal: this.status.thermal,
        smoke: this.status.smoke,
        slots: this.slots.map((v) => ({
          slot: v.slot,
          present: v.present,
          doorClosed: v.doorClosed,
          batteryId: v.batteryId,
          socPct: v.socPct,
          tempC: v.tempC,
          faults: v.faults,
          quarantined: q.includes(v.slot),
        })),
        swap: {
          step: s.step,
          ...(s.swapId ? { swapId: s.swapId } : {}),
          ...(s.depositSlot !== undefined ? { depositSlot: s.depositSlot } : {}),
          ...(s.issued ? { issueSlot: s.issued.slot } : {}),
        },
      },
    };
  }

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }

  private scheduler(): BusScheduler | undefined {
    return this.ctx.ports.modbus?.scheduler(this.cfg.bus);
  }

  private quarantinedSlots(): number[] {
    return this.quarantine.slots;
  }

  private command(req: ModbusRequest, priority: BusPriority): void {
    this.scheduler()
      ?.submit(priority, req)
      .catch((err: unknown) =>
        this.log.warn({ err: isStationError(err) ? err.code : String(err) }, "cabinet command failed"),
      );
  }

  private unlockSlot(slot: number): void {
    this.command(slotCommand(this.cfg.address, slot, "unlock", this.cfg.map), "meter");
  }

  private cutPower(active: boolean): void {
    this.powerCut = active;
    // The contactor first (synchronous); the cabinet's own register on the next bus turn.
    this.ctx.hardware.power?.cabinetPowerRelay?.write(!active);
    this.command(powerCommand(this.cfg.address, !active, this.cfg.map), "safety");
    this.changes.emit();
  }

  private setOnline(online: boolean, detail?: string): void {
    if (online === this.online) return;
    this.online = online;
    // A cabinet that does not answer cannot report a hot battery: its chargers stay off until it does.
    this.ctx.hardware.power?.cabinetPowerRelay?.write(online && !this.powerCut);
    if (online) this.bus.emit("cabinet.online", {});
    else this.bus.emit("cabinet.offline", detail ? { detail } : {});
    this.changes.emit();
  }

  private onStatus(r: Answer | StationError): void {
    if (isStationError(r)) {
      // one missed read (noise, a late answer) is not a lost cabinet; three in a row are
      if (++this.statusFailures >= OFFLINE_AFTER) this.setOnline(false, r.code);
      return;
    }
    this.statusFailures = 0;
    if (r.fn !== 0x04) return;
    this.setOnline(true);
    const s = decodeStatus(r.values, this.cfg.map);
    const changed = s.thermal !== this.status.thermal || s.smoke !== this.status.smoke;
    this.status = s;
    const safety = this.ctx.ports.safety;
    safety?.signal("cabinet-thermal", s.thermal, "cabinet thermal alarm");
    safety?.signal("cabinet-smoke", s.smoke, "cabinet smoke alarm");
    if (changed) this.changes.emit();
  }

  private onSlots(first: number, r: Answer | StationError, last: boolean): void {
    if (isStationError(r) || r.fn !== 0x04) {
      this.pendingSlots = [];
      return;
    }
    if (first === 1) this.pendingSlots = [];
    this.pendingSlots.push(...decodeSlotBlocks(r.values, first, this.cfg.map));
    if (!last) return;
    this.slots = this.pendingSlots;
    this.pendingSlots = [];
    for (const v of this.slots) this.checkBattery(v);
    const atMs = this.clock.monotonic();
    if (this.resumePending) {
      this.resumePending = false;
      this.swap({ type: "resume", slots: this.slots, atMs });
    }
    this.swap({ type: "slots", slots: this.slots, quarantined: this.quarantinedSlots(), atMs });
    // Every cycle reads the slots; `state` (retained, to the whole fleet) moves only when they do.
    const seen = JSON.stringify(this.slots);
    if (seen === this.lastSlotsSeen) return;
    this.lastSlotsSeen = seen;
    this.changes.emit();
  }

  /** An abnormal battery (hot, or any fault bit) is quarantined: charging off, never issued. */
  private checkBattery(v: SlotView): void {
    if (!v.present || this.quarantinedSlots().includes(v.slot)) return;
    const hot = v.tempC > this.cfg.maxTempC;
    const faults = v.faults.filter((f) => f !== "door-jam");
    if (!hot && faults.length === 0) return;
    const reason = hot ? "over-temperature" : (faults[0] as string);
    const detail = hot ? `${v.tempC} °C > ${this.cfg.maxTempC} °C` : `faults: ${faults.join(", ")}`;
    this.quarantine.add({ slot: v.slot, batteryId: v.batteryId, reason, detail });
    this.command(slotCommand(this.cfg.address, v.slot, "chargeOff", this.cfg.map), "meter");
    this.log.warn({ slot: v.slot, batteryId: v.batteryId, reason, detail }, "battery quarantined");
    this.bus.emit("cabinet.battery-quarantined", { slot: v.slot, batteryId: v.batteryId, reason, detail });
  }

  private swap(input: SwapInput): void {
    const prev = this.record.swap;
    const r = swapStep(prev, input, this.settings);
    const changed = r.state !== prev;
    this.record = { ...this.record, swap: r.state };
    if (changed) this.persist();
    // who the swap is for: the new state while it runs, the old one once it has ended
    const who = r.state.credential ? r.state : input.type === "request" ? input : prev;
    const party = { credential: who.credential ?? "", personId: who.personId };
    const out = { bus: this.bus, log: this.log, unlock: (slot: number) => this.unlockSlot(slot) };
    for (const e of r.effects) applySwapEffect(e, party, out);
    if (changed) this.changes.emit();
  }

  private persist(): void {
    try {
      this.store.save(this.record);
    } catch (err) {
      this.log.error(
        { err, file: this.store.file },
        "swap state not saved: a restart now would forget the swap",
      );
    }
  }
}
