import type { Logger } from "pino";
import type { OccupancyConfig } from "../../config/sections/occupancy.ts";
import type { OccupancyHardware } from "../../device/hardware.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { RadarHealth, RadarStatus } from "../../device/ports/presence-radar.ts";
import type { StationEvent } from "../contract/events.ts";
import type { OccupancyState } from "../contract/occupancy-events.ts";
import type { EventBus } from "../events/event-bus.ts";
import { inAnyWindow, localTime } from "../time/local-time.ts";
import {
  type FusionEffect,
  type FusionEvent,
  type FusionSettings,
  type FusionState,
  figureCount,
  figureSources,
  initialFusion,
  type OutputName,
  present,
  type SensorHealth,
  type SensorName,
  step,
} from "./fusion.ts";
import { isInside, NO_ONE_INSIDE, type PassbackState, passbackStep } from "./passback.ts";

const MIN = 60_000;
/** The machine's timeouts are minutes long: a tick every few seconds is precise enough. */
const TICK_MS = 5000;
/** anti-passback forgets an entry after this (a lost exit never locks anyone out for good) */
const MAX_STAY_MS = 12 * 3_600_000;
const BOARD_READY_WAIT_MS = 1500;

/** The driver's view of the radar, in the four words a technician reads. */
const RADAR_HEALTH: Record<RadarHealth, SensorHealth> = {
  starting: "stale",
  good: "good",
  stale: "stale",
  latched: "suspect",
  offline: "offline",
};

/**
 * The occupancy runner: feeds the fusion machine from the sensors and the bus, and carries its
 * effects out (events, outputs). The figure it keeps is the capacity port the access policy reads.
 */
export class OccupancyService {
  private st: FusionState;
  private readonly settings: FusionSettings;
  private readonly changes = new Listeners<void>();
  private readonly unsubs: (() => void)[] = [];
  private timer: TimerHandle | undefined;
  private boardState: { health: SensorHealth; detail?: string | undefined } | undefined;
  private readonly analog: Record<string, number> = {};
  private readonly outputs: Partial<Record<OutputName, boolean>> = {};
  /** sensors with a sensor-fault alarm raised, so a recovery clears only what was raised */
  private readonly faulted = new Set<string>();
  private passback: PassbackState = NO_ONE_INSIDE;

  constructor(
    private readonly cfg: OccupancyConfig,
    /** the station's zone (station.timezone): the welfare windows are local time in it */
    private readonly timeZone: string,
    private readonly hw: OccupancyHardware,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    const sensors: SensorName[] = [];
    if (hw.radar) sensors.push("radar");
    if (hw.pir) sensors.push("pir");
    if (hw.beam) sensors.push("beam");
    this.settings = {
      sensors,
      grantWindowMs: cfg.grantWindowMs,
      welfareMs: cfg.welfare.noMovementMin * MIN,
      emptyOffMs: cfg.emptyOffMin * MIN,
      falsePresenceMs: cfg.falsePresenceMin * MIN,
      emptyConfirmMs: cfg.emptyConfirmMin * MIN,
      pirStuckMs: cfg.pirStuckMin * MIN,
    };
    this.st = initialFusion(this.settings, clock.monotonic());
    if (hw.board) this.boardState = { health: "offline", detail: "not started" };
  }

  /** People inside, for the capacity rule. */
  count(): number {
    return figureCount(this.st, this.settings);
  }

  /** Anti-passback by direction: this card went in and has not come out. */
  isInside(credential: string): boolean {
    return (
      this.cfg.antiPassbackByDirection &&
      isInside(this.passback, credential, this.clock.monotonic(), MAX_STAY_MS)
    );
  }

  readerDirection(readerId: string): "in" | "out" {
    return this.cfg.exitReaders.includes(readerId) ? "out" : "in";
  }

  async start(): Promise<void> {
    const { hw } = this;
    // The board first: outputs may live on it. A missing board never stops the station.
    if (hw.board) {
      const b = hw.board;
      this.unsubs.push(b.board.onStatus((s) => this.onBoard(s.ready, s.detail)));
      await b.board.start();
      // A board on the bench answers in ~100 ms: wait that long (bounded) so the outputs on it are
      // driven before the station reports ready; a missing board is reported and retried meanwhile.
      await this.untilBoardReady(BOARD_READY_WAIT_MS);
      this.onBoard(b.board.status().ready, b.board.status().detail);
      for (const [name, channel] of Object.entries(b.analog)) {
        this.unsubs.push(
          b.board.onAnalog(channel, (v) => {
            this.analog[name] = v;
          }),
        );
      }
    }
    for (const o of Object.values(hw.outputs)) await o.start();
    // At boot nobody knows who is inside: lights and air on (the empty timer turns them off),
    // call light and buzzer off.
    for (const [name, on] of [
      ["lights", true],
      ["ventilation", true],
      ["callLight", false],
      ["buzzer", false],
    ] as const) {
      this.apply({ type: "output", name, on });
    }
    this.unsubs.push(this.bus.subscribe((e) => this.onBusEvent(e)));
    if (hw.radar) {
      const radar = hw.radar;
      this.unsubs.push(
        radar.onReading((r) =>
          this.feed({
            type: "radar",
            atMs: r.atMs,
            present: r.target !== "none",
            moving: r.target === "moving" || r.target === "both",
          }),
        ),
        radar.onStatus((s) => this.onRadarStatus(s)),
      );
      await radar.start();
      this.onRadarStatus(radar.status());
    }
    if (hw.pir) {
      const pir = hw.pir;
      await pir.start();
      this.unsubs.push(pir.onEdge((e) => this.feed({ type: "pir", atMs: e.atMs, active: e.active })));
    }
    if (hw.beam) {
      const beam = hw.beam;
      await beam.start();
      this.unsubs.push(
        beam.onPassage((result, atMs) => this.feed({ type: "beam", atMs, result })),
        beam.onHealth((h) =>
          this.feed({
            type: "health",
            atMs: this.clock.monotonic(),
            sensor: "beam",
            health: h.health,
            detail: h.detail,
          }),
        ),
      );
    }
    this.tick();
  }

  async stop(): Promise<void> {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const u of this.unsubs.splice(0)) u();
    const { hw } = this;
    await hw.beam?.stop();
    await hw.pir?.stop();
    await hw.radar?.stop();
    for (const o of Object.values(hw.outputs)) await o.stop();
    await hw.board?.board.stop();
  }

  onChange(listener: () => void): () => void {
    return this.changes.add(listener);
  }

  /**
   * The process is dying: lights and air on (someone may be inside; the empty timer dies with
   * us), synchronously. Outputs on the I/O board get the write queued; the board keeps its last
   * level, which is on unless the station was empty.
   */
  failSafe(): void {
    for (const name of ["lights", "ventilation"] as const) {
      try {
        this.hw.outputs[name]?.write(true);
      } catch {
        // the next output still gets its chance
      }
    }
  }

  clearWelfare(): boolean {
    const was = this.st.welfare.active;
    this.feed({ type: "welfare-clear", atMs: this.clock.monotonic(), by: "technician" });
    return was;
  }

  setCount(count: number): void {
    this.feed({ type: "set-count", atMs: this.clock.monotonic(), count });
  }

  snapshot(): OccupancyState {
    const s = this.settings;
    const st = this.st;
    const wall = (mono: number) => new Date(this.clock.now() - (this.clock.monotonic() - mono)).toISOString();
    const sensors: OccupancyState["sensors"] = {};
    for (const n of s.sensors) sensors[n] = { ...st.sensors[n] };
    if (this.boardState) sensors.board = { ...this.boardState };
    return {
      count: figureCount(st, s),
      present: present(st, s),
      confidence: st.confidence,
      sources: figureSources(st, s),
      lastChange: wall(st.lastChangeMs),
      sensors,
      welfare:
        st.welfare.active && st.welfare.sinceMs !== undefined
          ? { active: true, since: wall(st.welfare.sinceMs) }
          : { active: false },
      outputs: { ...this.outputs } as Record<string, boolean>,
      analog: { ...this.analog },
    };
  }

  private onBusEvent(e: StationEvent): void {
    const atMs = this.clock.monotonic();
    if (e.type === "access.granted" && !e.outlet) {
      const direction = this.readerDirection(e.readerId);
      this.passback = passbackStep(this.passback, {
        type: "grant",
        credential: e.credential,
        direction,
        atMs,
      });
      this.feed({ type: "grant", atMs, direction });
    } else if (e.type === "door.opened") {
      this.feed({ type: "door", atMs, open: true });
    } else if (e.type === "door.closed") {
      this.feed({ type: "door", atMs, open: false });
    }
  }

  private untilBoardReady(ms: number): Promise<void> {
    const board = this.hw.board?.board;
    if (!board || board.status().ready) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        off();
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      const off = board.onStatus((s) => {
        if (s.ready) done();
      });
    });
  }

  private onRadarStatus(s: RadarStatus): void {
    // Before the first frame there is nothing to judge: the machine keeps its start value.
    if (s.health === "starting") return;
    this.feed({
      type: "health",
      atMs: this.clock.monotonic(),
      sensor: "radar",
      health: RADAR_HEALTH[s.health],
      detail: s.detail,
    });
  }

  private onBoard(ready: boolean, detail: string | undefined): void {
    const next = { health: (ready ? "good" : "offline") as SensorHealth, detail };
    if (this.boardState?.health === next.health) return;
    const was = this.boardState?.health;
    this.boardState = next;
    if (was !== undefined) this.healthChanged("board", next.health, detail);
    // A board that came back forgot its relays: drive them again.
    if (ready)
      for (const [name, on] of Object.entries(this.outputs)) this.hw.outputs[name as OutputName]?.write(on);
    this.changes.emit();
  }

  private tick(): void {
    const wall = this.clock.now();
    const w = this.cfg.welfare;
    const night = w.windows.length > 0 && inAnyWindow(w.windows, localTime(wall, this.timeZone), new Set());
    this.feed({ type: "tick", atMs: this.clock.monotonic(), night });
    this.timer = this.clock.setTimeout(() => this.tick(), TICK_MS);
  }

  private feed(e: FusionEvent): void {
    const r = step(this.st, e, this.settings);
    this.st = r.state;
    for (const fx of r.effects) this.apply(fx);
  }

  private apply(fx: FusionEffect): void {
    switch (fx.type) {
      case "tailgate":
        this.log.warn({ grants: fx.grants, entered: fx.entered }, "tailgating: more people in than grants");
        this.bus.emit("door.tailgate", { grants: fx.grants, entered: fx.entered });
        return;
      case "welfare-alert": {
        const count = this.count();
        this.log.error(
          { count, noMovementMs: fx.noMovementMs },
          "welfare alert: someone inside is not moving",
        );
        this.bus.emit("occupancy.welfare-alert", {
          priority: "critical",
          noMovementMin: Math.round(fx.noMovementMs / MIN),
          count,
        });
        this.bus.emit("alarm.raised", {
          alarm: "welfare",
          detail: `someone present and not moving for ${Math.round(fx.noMovementMs / MIN)} min`,
        });
        this.changes.emit();
        return;
      }
      case "welfare-cleared":
        this.bus.emit("occupancy.welfare-cleared", { by: fx.by });
        this.bus.emit("alarm.cleared", { alarm: "welfare" });
        this.changes.emit();
        return;
      case "sensor-health":
        this.healthChanged(fx.sensor, fx.health, fx.detail);
        return;
      case "output": {
        const line = this.hw.outputs[fx.name];
        if (!line) return;
        this.outputs[fx.name] = fx.on;
        line.write(fx.on);
        this.changes.emit();
        return;
      }
      case "occupancy-changed": {
        const snap = this.snapshot();
        // The written rule for lost exits: a station seen empty has nobody inside.
        if (!snap.present) this.passback = passbackStep(this.passback, { type: "empty" });
        this.bus.emit("occupancy.changed", {
          count: snap.count,
          present: snap.present,
          confidence: snap.confidence,
          sources: snap.sources,
        });
        this.changes.emit();
        return;
      }
    }
  }

  private healthChanged(
    sensor: SensorName | "board",
    health: SensorHealth,
    detail: string | undefined,
  ): void {
    this.log.info({ sensor, health, detail }, "sensor health changed");
    this.bus.emit("occupancy.sensor-health", { sensor, health, ...(detail ? { detail } : {}) });
    if (health === "good") {
      if (this.faulted.delete(sensor))
        this.bus.emit("alarm.cleared", { alarm: "sensor-fault", source: sensor });
    } else if (!this.faulted.has(sensor)) {
      this.faulted.add(sensor);
      this.bus.emit("alarm.raised", {
        alarm: "sensor-fault",
        source: sensor,
        detail: `${health}${detail ? `: ${detail}` : ""}`,
      });
    }
    this.changes.emit();
  }
}
