import type { Logger } from "pino";
import type { StationConfig } from "../config/schema.ts";
import { stationTimeZone } from "../config/station-time-zone.ts";
import type { Hardware } from "../device/hardware.ts";
import { AccessController, type AccessSettings } from "./access/access-controller.ts";
import type { CredentialStore } from "./access/credential-store.ts";
import { IdentifyMode } from "./access/identify-mode.ts";
import { type OccupancyFigure, UNKNOWN_OCCUPANCY } from "./access/occupancy.ts";
import { NO_FACE_MODULE, type SecondFactor } from "./access/second-factor.ts";
import { AlarmBoard } from "./alarms/alarm-board.ts";
import { InputAlarms } from "./alarms/input-alarms.ts";
import type { StationState } from "./contract/state.ts";
import { DoorController } from "./door/door-controller.ts";
import { PassageScheduler } from "./door/passage-scheduler.ts";
import { RelayCounter } from "./door/relay-counter.ts";
import type { EventBus } from "./events/event-bus.ts";
import type { RestartState } from "./persist/restart-state.ts";

export interface EntranceDeps {
  config: StationConfig;
  hardware: Hardware;
  credentials: CredentialStore;
  bus: EventBus;
  logger: Logger;
  occupancy?: OccupancyFigure;
  face?: SecondFactor;
  /** the station's alarm board (the entrance keeps its own when it runs alone, as in tests) */
  alarms?: AlarmBoard;
  /** what the last run left, and where this run's must go (controller/persist/) */
  restart?: RestartState;
}

/** How recent a face match must be to count as the second factor for a card read. */
const FACE_WINDOW_MS = 10_000;

/**
 * The entrance: the door, the rules that open it, and the alarms around it, built from the
 * config over the hardware ports. Station owns reporting; this owns the door.
 */
export class Entrance {
  readonly door: DoorController;
  readonly access: AccessController;
  readonly passage: PassageScheduler;
  readonly inputs: InputAlarms;
  readonly alarms: AlarmBoard;
  /** "who is this card" (controller/access/identify-mode.ts) */
  readonly identify: IdentifyMode;
  private readonly ownsBoard: boolean;
  private readonly unsubscribers: (() => void)[] = [];
  private relayWearRaised = false;
  private readonly holidays = new Set<string>();
  private tracked = false;

  constructor(private readonly deps: EntranceDeps) {
    const { config, hardware, bus, logger } = deps;
    const d = config.door;
    const a = config.access;
    const holidays = this.holidays;
    for (const h of a.holidays) holidays.add(h);
    this.alarms = deps.alarms ?? new AlarmBoard();
    this.ownsBoard = deps.alarms === undefined;
    this.door = new DoorController(
      hardware,
      doorSettings(d),
      d.lockMode,
      bus,
      logger.child({ module: "door" }),
      new RelayCounter(
        `${config.dataDir}/relay-cycles.json`,
        hardware.clock,
        logger.child({ module: "door" }),
      ),
    );
    this.inputs = new InputAlarms(
      { tamper: hardware.tamper, onBattery: hardware.onBattery, timeSource: hardware.timeSource },
      bus,
      logger.child({ module: "alarms" }),
    );
    this.passage = new PassageScheduler(
      {
        windows: d.passage.windows,
        firstCardUnlock: d.passage.firstCardUnlock,
        firstCardRoles: d.passage.firstCardRoles,
        timezone: stationTimeZone(config),
        holidays,
        whenTimeUnknown: a.degraded.passageWhenTimeUnknown,
        suspendOnBattery: a.degraded.suspendPassageOnBattery,
      },
      {
        clock: hardware.clock,
        timeQuality: () => hardware.timeSource.quality(),
        onBattery: () => this.inputs.onBattery(),
        setPassage: (active) => this.door.setPassage(active),
      },
      logger.child({ module: "passage" }),
    );
    this.identify = new IdentifyMode(hardware.clock, bus, deps.credentials);
    this.access = new AccessController(
      hardware.readers,
      deps.credentials,
      this.door,
      bus,
      logger.child({ module: "access" }),
      accessSettings(a, stationTimeZone(config), holidays),
      {
        clock: hardware.clock,
        timeQuality: () => hardware.timeSource.quality(),
        occupancy: deps.occupancy ?? UNKNOWN_OCCUPANCY,
        face: deps.face ?? NO_FACE_MODULE,
        onGrant: (role) => this.passage.onGrant(role),
        adoptAlarm: (alarm, source) => this.alarms.adopt(alarm, source),
        identify: this.identify,
        outletReaders: new Map(
          (config.outlets?.list ?? []).flatMap((o) => (o.reader ? [[o.reader, o.id] as const] : [])),
        ),
      },
    );
  }

  /**
   * The live-safe part of a new config (controller/remote/live-config.ts lists it): door timings
   * and the access rules, each swapped whole between two reads. The holidays set is shared with
   * the passage schedule, so it is refilled in place.
   */
  reconfigure(config: StationConfig): void {
    this.holidays.clear();
    for (const h of config.access.holidays) this.holidays.add(h);
    this.door.retime(doorSettings(config.door));
    this.access.reconfigure(accessSettings(config.access, stationTimeZone(config), this.holidays));
  }

  async start(): Promise<void> {
    const { bus, restart } = this.deps;
    if (restart && !this.tracked) {
      // Kept tracked after stop: what a stopped door was left in is what the next start needs.
      this.tracked = true;
      restart.track(() => ({ fire: this.door.snapshot().fire, lockouts: this.access.lockouts() }));
    }
    if (this.ownsBoard) this.unsubscribers.push(this.alarms.attach(bus));
    // The door first: whatever fails later, the lock is in its configured state.
    await this.door.start({
      fire: restart?.restored.fire,
      forcedOpen: this.alarms.has("forced-open"),
      heldOpen: this.alarms.has("held-open"),
    });
    const kept = this.door.activeAlarms();
    if (kept.forcedOpen) this.alarms.adopt("forced-open");
    if (kept.heldOpen) this.alarms.adopt("held-open");
    if (restart) this.unsubscribers.push(this.door.onChange(() => restart.changed()));
    await this.inputs.start();
    this.unsubscribers.push(this.door.onChange((s) => this.checkRelayWear(s.relayCycles)));
    this.checkRelayWear(this.door.snapshot().relayCycles);
    const store = this.deps.credentials.health?.();
    if (store && !store.writable) {
      bus.emit("alarm.raised", {
        alarm: "credential-store",
        detail:
          store.mode === "read-only"
            ? "the credential store is read-only: enrolments cannot be saved"
            : "the credential store cannot be opened: only static credentials work",
      });
    }
    this.passage.start();
  }

  async startReaders(): Promise<void> {
    await this.access.start(this.deps.restart?.restored.lockouts);
  }

  async stop(): Promise<void> {
    this.identify.end("station-stopped");
    this.passage.stop();
    await this.door.stop();
    await this.access.stop();
    await this.inputs.stop();
    // What the next start must know (a latched fire, lockouts), as the door was left.
    this.deps.restart?.saveNow();
    for (const u of this.unsubscribers.splice(0)) u();
  }

  /** The process is dying: the lock to its safe level, synchronously (scripts/process-guard.ts). */
  failSafe(): void {
    this.door.halt();
  }

  /** The door, access, alarm, time and power parts of `state`. */
  snapshot(): Pick<
    StationState,
    "door" | "readers" | "credentials" | "access" | "alarms" | "time" | "power"
  > {
    const { hardware, credentials } = this.deps;
    const door = this.door.snapshot();
    return {
      door: { ...door, passage: this.passage.status() },
      readers: this.access.readerStates(),
      credentials: { count: credentials.size },
      access: { ...this.access.stats, denied: { ...this.access.stats.denied } },
      alarms: this.alarms.list(),
      time: { quality: hardware.timeSource.quality(), now: new Date(hardware.clock.now()).toISOString() },
      power: { onBattery: this.inputs.onBattery() },
    };
  }

  private checkRelayWear(cycles: number): void {
    const rated = this.deps.config.door.relayRatedCycles;
    if (this.relayWearRaised || cycles < rated * 0.8) return;
    this.relayWearRaised = true;
    this.deps.bus.emit("alarm.raised", {
      alarm: "relay-wear",
      source: "lockRelay",
      detail: `${cycles} operations of ${rated} rated; plan a replacement`,
    });
  }
}

function doorSettings(d: StationConfig["door"]) {
  return {
    unlockMs: d.unlockMs,
    maxOpenMs: d.maxOpenMs,
    relockDelayMs: d.relockDelayMs,
    heldOpenAlarmMs: d.heldOpenAlarmMs,
    forcedOpenGraceMs: d.forcedOpenGraceMs,
    fireRevert: d.fire.revert,
  };
}

function accessSettings(
  a: StationConfig["access"],
  timezone: string,
  holidays: ReadonlySet<string>,
): AccessSettings {
  return {
    schedules: new Map(Object.entries(a.schedules)),
    holidays,
    timezone,
    lockout: a.lockout,
    rereadSuppressMs: a.rereadSuppressMs,
    capacity: a.capacity,
    antiPassbackMs: a.antiPassback.windowMs,
    faceDownPolicy: a.degraded.faceDown,
    faceWindowMs: FACE_WINDOW_MS,
    pins: a.pins,
  };
}
