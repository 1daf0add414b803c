import type { Logger } from "pino";
import { z } from "zod";
import { isStationError, type StationError } from "../../config/errors.ts";
import { outletLimits } from "../../config/sections/power.ts";
import { decodePzem, type PzemReading, pzemReadRequest } from "../../device/modbus/pzem.ts";
import type { Answer } from "../../device/modbus/rtu-master.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import { nextValue } from "../../device/ports/wait-for.ts";
import type { StationState } from "../contract/state.ts";
import type { EventBus } from "../events/event-bus.ts";
import type { TelemetryPart } from "../mqtt/telemetry-reporter.ts";
import type { PersistedQuarantine } from "../persist/station-state-file.ts";
import { personArgs, personFrom, principalName } from "../principal.ts";
import type { CommandSpec, SelftestStep, Subsystem, SubsystemContext } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";
import { DailyEnergy, fairUse } from "./fair-use.ts";
import { Occupant, type Person } from "./occupant.ts";
import {
  type ControlSource,
  IDLE,
  type OutletEffect,
  type OutletInput,
  relayOn,
  step,
} from "./outlet-machine.ts";
import { persistedOutletQuarantines, restoreOutletQuarantines } from "./outlet-quarantines.ts";
import { type OutletSchedule, outletCalendar } from "./outlet-schedule.ts";
import { outletSelftestSteps, SELFTEST_CREDENTIAL, SELFTEST_PERSON } from "./outlet-selftest.ts";
import { type Outlet, outletsState } from "./outlet-state.ts";

const TICK_MS = 1000;
/** how long a selftest step waits for a meter's next answer (a poll cycle is about a second) */
const SELFTEST_READ_MS = 5000;

const who = (p: { credential: string; personId?: string | undefined }) => p.personId ?? p.credential;

/**
 * The charging outlets: each a pure machine (outlet-machine.ts) fed by its meter's reads on the
 * bus scheduler, its relay driven from the machine's state after every step. Provides
 * `ports.outletPower`, through which the safety coordinator holds every outlet off.
 */
export class OutletsSubsystem implements Subsystem {
  readonly name = "outlets";
  readonly commands: readonly CommandSpec[];
  readonly selftestSteps: readonly SelftestStep[];
  private readonly outlets = new Map<string, Outlet>();
  /** every meter answer (or failure) as it comes, for the selftest */
  private readonly reads = new Listeners<{ id: string; reading: PzemReading | StationError }>();
  private readonly occupant: Occupant;
  private readonly daily: DailyEnergy;
  private readonly changes = new Listeners<void>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly log: Logger;
  private tickTimer: TimerHandle | undefined;
  private readonly schedule: OutletSchedule;
  private stationCut = false;
  private started = false;
  private restored = false;
  /** when each quarantine began, wall clock (it may be from before the restart) */
  private readonly quarantinedSince = new Map<string, string>();

  constructor(private readonly ctx: SubsystemContext) {
    const cfg = ctx.config.outlets;
    this.clock = ctx.hardware.clock;
    this.bus = ctx.bus;
    this.log = ctx.logger.child({ module: "outlets" });
    this.occupant = new Occupant(ctx.bus, this.clock, (cfg?.occupantWindowMin ?? 240) * 60_000);
    const calendar = outletCalendar(ctx.config);
    this.daily = new DailyEnergy(calendar.dayOf);
    this.schedule = calendar.schedule;
    for (const o of cfg?.list ?? []) {
      this.outlets.set(o.id, {
        cfg: o,
        limits: outletLimits(o),
        relay: ctx.hardware.power?.outletRelays.get(o.id),
        state: IDLE,
        meterOnline: true,
        powerW: 0,
        currentA: 0,
        energyWh: 0,
      });
    }
    // A quarantine outlives a restart (station-state.json) until a technician clears it.
    ctx.ports.restart?.track(() => ({ quarantines: this.quarantines() }));
    ctx.ports.outletPower = {
      cut: (active) => {
        this.stationCut = active;
        for (const id of this.outlets.keys())
          this.dispatch(id, { type: "station-cut", active, atMs: this.clock.monotonic() });
      },
    };
    this.commands = [
      defineCommand({
        name: "outlet",
        summary: "start or stop a charging session, or clear an outlet's quarantine (technician)",
        args: z
          .object({
            outlet: z.string(),
            action: z.enum(["start", "stop", "clear"]),
            ...personArgs,
          })
          .strict(),
        run: async (a, { principal }) => {
          if (!this.outlets.has(a.outlet)) return { status: "error", code: "OUTLET_UNKNOWN" };
          if (a.action === "clear") return this.clear(a.outlet, principalName(principal));
          if (a.action === "stop") return this.stopSession(a.outlet, "command");
          return this.startSession(a.outlet, "command", personFrom(a));
        },
      }),
    ];
    this.selftestSteps = outletSelftestSteps(this.selftestPort(), this.clock, SELFTEST_READ_MS);
  }

  private selftestPort() {
    const selftest = { credential: SELFTEST_CREDENTIAL, personId: SELFTEST_PERSON };
    return {
      ids: () => [...this.outlets.keys()],
      state: (id: string) => this.outlets.get(id)?.state,
      relay: (id: string) => this.outlets.get(id)?.relay?.read(),
      nextReading: (id: string, ms: number) =>
        nextValue(this.reads.add.bind(this.reads), this.clock, ms, (r) =>
          r.id === id ? r.reading : undefined,
        ),
      start: (id: string) => this.startSession(id, "command", selftest),
      stop: (id: string) => this.stopSession(id, "command"),
    };
  }

  /** Start a session: bound to `person`, or (binding "occupant") to whoever the door let in last. */
  startSession(id: string, source: ControlSource, person?: Person) {
    const o = this.outlets.get(id);
    if (!o) return { status: "error" as const, code: "OUTLET_UNKNOWN" };
    const p =
      person ?? (this.ctx.config.outlets?.binding === "occupant" ? this.occupant.current() : undefined);
    if (!p) return this.refuse(id, "no-occupant", source);
    const now = this.clock.now();
    const mine = [...this.outlets.values()].filter((x) => x.state.session && who(x.state.session) === who(p));
    const today =
      this.daily.get(who(p), now) + mine.reduce((s, x) => s + (x.state.session?.energyWh ?? 0), 0);
    const verdict = fairUse(
      this.ctx.config.outlets?.fairUse ?? { maxConcurrent: 1, maxDailyWh: 800 },
      mine.length,
      today,
    );
    if (verdict !== "ok") return this.refuse(id, verdict, source);
    const ok = this.dispatch(id, { type: "start", ...p, source, atMs: this.clock.monotonic() });
    return ok ? { status: "ok" as const } : { status: "error" as const, code: "OUTLET_REFUSED" };
  }

  /**
   * A card granted at an outlet's own reader (`outlets.list[].reader`): starts a session bound to
   * that card, or stops the one it started. Another person's card does not stop it.
   */
  private onTap(e: { outlet?: string | undefined; credential: string; personId: string }): void {
    const o = e.outlet === undefined ? undefined : this.outlets.get(e.outlet);
    if (!o || !e.outlet) return;
    const s = o.state.session;
    if (!s) this.startSession(e.outlet, "tap", { credential: e.credential, personId: e.personId });
    else if (who(s) === who(e)) this.stopSession(e.outlet, "tap");
    else this.refuse(e.outlet, "busy", "tap");
  }

  stopSession(id: string, source: ControlSource) {
    const ok = this.dispatch(id, { type: "stop", source, atMs: this.clock.monotonic() });
    return ok ? { status: "ok" as const } : { status: "error" as const, code: "OUTLET_REFUSED" };
  }

  clear(id: string, by: string) {
    const o = this.outlets.get(id);
    if (!o?.state.quarantine) return { status: "error" as const, code: "OUTLET_NOT_QUARANTINED" };
    this.dispatch(id, { type: "clear", atMs: this.clock.monotonic() });
    this.bus.emit("outlet.cleared", { outlet: id, by });
    return { status: "ok" as const };
  }

  async start(): Promise<void> {
    for (const o of this.outlets.values()) {
      // Off first, before anything that can fail: an outlet is never powered by a restart.
      await o.relay?.start();
      o.relay?.write(false);
    }
    this.restoreQuarantines();
    this.started = true;
    this.occupant.start();
    this.unsubscribers.push(this.bus.subscribe((e) => e.type === "access.granted" && this.onTap(e)));
    for (const [id, o] of this.outlets) {
      const sched = this.ctx.ports.modbus?.scheduler(o.cfg.bus);
      if (!sched) {
        this.log.error({ outlet: id, bus: o.cfg.bus }, "the outlet's bus is not configured: it stays off");
        this.dispatch(id, {
          type: "meter-lost",
          atMs: this.clock.monotonic(),
          detail: `no bus ${o.cfg.bus}`,
        });
        continue;
      }
      this.unsubscribers.push(
        sched.add({
          id: `meter:${id}`,
          priority: "meter",
          request: pzemReadRequest(o.cfg.meterAddress),
          onResult: (r) => this.onMeter(id, r),
        }),
      );
      const probe = this.ctx.hardware.power?.outletTemperatures.get(id);
      if (probe)
        this.unsubscribers.push(
          probe.onReading((tempC) =>
            this.dispatch(id, { type: "temperature", tempC, atMs: this.clock.monotonic() }),
          ),
        );
    }
    this.tick();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.clock.clearTimeout(this.tickTimer);
    for (const u of this.unsubscribers.splice(0)) u();
    this.occupant.stop();
    for (const o of this.outlets.values()) {
      o.relay?.write(false);
      await o.relay?.stop();
    }
  }

  /** per-outlet power and energy; an outlet changing state is reported at once */
  telemetry(): TelemetryPart {
    const outlets: NonNullable<TelemetryPart["fields"]["outlets"]> = {};
    for (const [id, o] of Object.entries(this.snapshot().outlets ?? {})) {
      outlets[id] = {
        state: o.state,
        powerW: o.powerW,
        energyWh: o.energyWh,
        ...(o.session ? { sessionWh: o.session.energyWh } : {}),
      };
    }
    const watch = Object.entries(outlets)
      .map(([id, o]) => `${id}:${o.state}`)
      .join(",");
    return { fields: { outlets }, watch: { "outlets.state": watch } };
  }

  snapshot(): Partial<StationState> {
    if (this.outlets.size === 0) return {};
    return { outlets: outletsState(this.outlets, this.clock, this.quarantinedSince) };
  }

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }

  /** This subsystem's part of station-state.json: until start has restored it, what was read. */
  private quarantines(): Record<string, PersistedQuarantine> {
    if (!this.restored) return this.ctx.ports.restart?.restoredQuarantines(this.name) ?? {};
    const now = new Date(this.clock.now()).toISOString();
    return persistedOutletQuarantines(this.name, this.outlets, this.quarantinedSince, now);
  }

  private restoreQuarantines(): void {
    const restored = this.ctx.ports.restart?.restoredQuarantines(this.name) ?? {};
    restoreOutletQuarantines(restored, this.outlets, this.quarantinedSince, this.clock.monotonic(), this.log);
    this.restored = true;
  }

  private onMeter(id: string, r: Answer | StationError): void {
    const o = this.outlets.get(id);
    if (!o) return;
    const atMs = this.clock.monotonic();
    if (isStationError(r)) {
      // An exception is an answer: the meter is there but refuses; treat any failure as lost.
      o.meterOnline = false;
      this.dispatch(id, { type: "meter-lost", atMs, detail: r.code });
      this.reads.emit({ id, reading: r });
      return;
    }
    if (r.fn !== 0x04) return;
    const m = decodePzem(r.values);
    const wasOnline = o.meterOnline;
    o.meterOnline = true;
    const changed = !wasOnline || Math.abs(m.powerW - o.powerW) >= 1 || m.energyWh !== o.energyWh;
    o.powerW = m.powerW;
    o.currentA = m.currentA;
    o.energyWh = m.energyWh;
    const temp = this.ctx.hardware.power?.outletTemperatures.get(id)?.read();
    this.dispatch(id, {
      type: "reading",
      atMs,
      powerW: m.powerW,
      currentA: m.currentA,
      energyWh: m.energyWh,
      ...(temp !== undefined ? { tempC: temp } : {}),
    });
    if (changed) this.changes.emit();
    this.reads.emit({ id, reading: m });
  }

  /** One step of one outlet's machine; the relay follows the new state before anything else. */
  private dispatch(id: string, input: OutletInput): boolean {
    const o = this.outlets.get(id);
    if (!o) return false;
    const r = step(o.state, input, o.limits);
    const before = o.state;
    o.state = r.state;
    if (this.started) o.relay?.write(relayOn(o.state));
    let refused = false;
    for (const e of r.effects) refused = this.effect(id, e) || refused;
    if (before !== o.state) this.changes.emit();
    return !refused;
  }

  private effect(id: string, e: OutletEffect): boolean {
    const nowMs = this.clock.now();
    switch (e.type) {
      case "started":
        this.bus.emit("outlet.session-started", {
          outlet: id,
          credential: e.session.credential,
          ...(e.session.personId ? { personId: e.session.personId } : {}),
          source: e.session.source,
        });
        return false;
      case "ended":
        this.daily.add(who(e.session), e.session.energyWh, nowMs);
        this.bus.emit("outlet.session-ended", {
          outlet: id,
          credential: e.session.credential,
          ...(e.session.personId ? { personId: e.session.personId } : {}),
          reason: e.reason,
          energyWh: e.session.energyWh,
          durationS: Math.round(e.durationMs / 1000),
        });
        return false;
      case "quarantined":
        this.quarantinedSince.set(id, new Date(nowMs).toISOString());
        this.ctx.ports.restart?.changed();
        this.log.warn({ outlet: id, reason: e.reason, detail: e.detail }, "outlet cut and quarantined");
        this.bus.emit("outlet.quarantined", { outlet: id, reason: e.reason, detail: e.detail });
        return false;
      case "cleared":
        this.quarantinedSince.delete(id);
        this.ctx.ports.restart?.changed();
        return false;
      case "refused":
        this.bus.emit("outlet.refused", { outlet: id, reason: e.reason, source: e.source });
        return true;
    }
  }

  private refuse(
    id: string,
    reason: "no-occupant" | "fair-use-concurrent" | "fair-use-energy" | "busy",
    source: ControlSource,
  ) {
    this.bus.emit("outlet.refused", { outlet: id, reason, source });
    return { status: "error" as const, code: reason.toUpperCase().replaceAll("-", "_") };
  }

  private tick(): void {
    const hours = this.schedule.next(this.clock.now(), this.clock.monotonic());
    if (hours) this.log.info({ open: hours.allowed }, hours.allowed ? "outlets open" : "outlets closed");
    for (const id of this.outlets.keys()) {
      if (hours) this.dispatch(id, hours);
      this.dispatch(id, { type: "tick", atMs: this.clock.monotonic() });
    }
    this.tickTimer = this.clock.setTimeout(() => this.tick(), TICK_MS);
  }

  /** whether the safety coordinator holds the outlets off (for the console) */
  get cut(): boolean {
    return this.stationCut;
  }
}
