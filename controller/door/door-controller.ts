import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import type { GpioInput, GpioOutput } from "../../device/ports/gpio.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { EventBus } from "../events/event-bus.ts";
import {
  type DoorEffect,
  type DoorInput,
  type DoorSettings,
  type DoorState,
  type DoorTimer,
  type FireState,
  initialDoorState,
  step,
} from "./machine.ts";
import type { RelayCounter } from "./relay-counter.ts";

export type LockMode = "fail-secure" | "fail-safe";

export interface DoorPorts {
  readonly clock: Clock;
  readonly lockRelay: GpioOutput;
  readonly doorContact: GpioInput;
  readonly exitButton: GpioInput;
  readonly fireAlarm?: GpioInput | undefined;
  readonly alarmSounder?: GpioOutput | undefined;
}

export interface DoorSnapshot {
  lock: DoorState["lock"];
  leaf: DoorState["leaf"];
  mode: "normal" | "passage" | "fire";
  fire: FireState;
  lockMode: LockMode;
  relayEnergised: boolean;
  /** relay operations over the relay's life; relays wear out */
  relayCycles: number;
}

/** How often the watchdog checks that no unlock outlives its bound. */
const WATCHDOG_TICK_MS = 1000;

/**
 * Runs the pure door machine against the lines: feeds it edges and timer expiries, carries out
 * its effects, and guards it. The guard (a watchdog tick independent of the machine's timers,
 * and a catch around every step) makes sure an exception or a lost event cannot leave the door
 * unlocked for ever, nor locked against a fire release.
 */
export class DoorController {
  private state: DoorState = initialDoorState("closed");
  private readonly timers = new Map<DoorTimer, TimerHandle>();
  private readonly changes = new Listeners<DoorSnapshot>();
  private readonly unsubscribers: (() => void)[] = [];
  private watchdog: TimerHandle | undefined;
  /** monotonic time of the last thing that legitimately (re)started a timed unlock */
  private lastUnlockStimulus = 0;
  private stopped = false;
  private fireInput = false;
  private readonly egressSources = new Set<string>();

  constructor(
    private readonly ports: DoorPorts,
    private readonly settings: DoorSettings,
    private readonly lockMode: LockMode,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly relayCounter: RelayCounter,
  ) {}

  /** The longest a timed unlock can legitimately last: grant window, then the door open, then the relock delay. */
  get unlockBoundMs(): number {
    const s = this.settings;
    return s.unlockMs + s.maxOpenMs + s.relockDelayMs;
  }

  /** How long a grant (or an unlock command) holds the lock open when nobody opens the door. */
  get unlockMs(): number {
    return this.settings.unlockMs;
  }

  /**
   * `restored.fire`: the fire state the last run left. A fire release that was not reset when
   * the controller stopped (or died) holds the door released again at once, whatever the panel
   * says now; with `manual-reset` it then waits for the technician as before.
   */
  async start(restored: { fire?: FireState; forcedOpen?: boolean; heldOpen?: boolean } = {}): Promise<void> {
    this.relayCounter.load();
    await this.ports.lockRelay.start();
    await this.ports.alarmSounder?.start();
    this.driveRelay("locked");
    await this.ports.doorContact.start();
    await this.ports.exitButton.start();
    await this.ports.fireAlarm?.start();
    this.state = initialDoorState(this.ports.doorContact.read() ? "closed" : "open");
    // A door still open after a restart keeps the forced-open or held-open alarm it had: the
    // closing clears it, as it would have without the restart.
    if (this.state.leaf === "open") {
      this.state = {
        ...this.state,
        forced: restored.forcedOpen ?? false,
        heldOpen: restored.heldOpen ?? false,
      };
    }
    this.unsubscribers.push(
      this.ports.doorContact.onEdge((e) => this.dispatch({ type: e.active ? "door-closed" : "door-opened" })),
      this.ports.exitButton.onEdge((e) => {
        if (e.active) this.dispatch({ type: "exit-request" });
      }),
    );
    const fire = this.ports.fireAlarm;
    if (fire) {
      this.unsubscribers.push(
        fire.onEdge((e) => {
          this.fireInput = e.active;
          this.dispatchFire();
        }),
      );
      // A fire alarm already active at boot releases the door at once.
      this.fireInput = fire.read();
    }
    this.dispatchFire();
    if (restored.fire !== undefined && restored.fire !== "off" && this.state.fire === "off") {
      this.log.warn(
        { restored: restored.fire },
        "a fire release was not reset before the restart; door released",
      );
      this.dispatch({ type: "fire", active: true });
      this.dispatch({ type: "fire", active: false });
    }
    this.tick();
    this.log.info({ door: this.snapshot(), unlockBoundMs: this.unlockBoundMs }, "door ready");
  }

  /** Leaves the relay de-energised: the lock falls to its configured fail-safe or fail-secure state. */
  async stop(): Promise<void> {
    this.halt();
    this.relayCounter.save();
    await this.ports.fireAlarm?.stop();
    await this.ports.exitButton.stop();
    await this.ports.doorContact.stop();
    await this.ports.lockRelay.stop();
    await this.ports.alarmSounder?.stop();
  }

  /**
   * Egress asked for by another part of the station (the safety coordinator on a battery fire):
   * the same release as the fire input, held while any source holds it.
   */
  requestEgress(source: string, active: boolean): void {
    if (active) this.egressSources.add(source);
    else this.egressSources.delete(source);
    if (!this.stopped) this.dispatchFire();
  }

  private dispatchFire(): void {
    const active = this.fireInput || this.egressSources.size > 0;
    if (active || this.state.fire === "active") this.dispatch({ type: "fire", active });
  }

  /**
   * Synchronously, for a dying process as for a stop: no more steps, timers or watchdog, and the
   * relay de-energised, so the lock falls to its configured safe state. A lock that changes by
   * it is an event (`door.unlocked` / `door.locked`, reason `shutdown`): a maglock released by a
   * shutdown leaves the station open, and the central server must know.
   */
  halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const u of this.unsubscribers.splice(0)) u();
    for (const t of this.timers.values()) this.ports.clock.clearTimeout(t);
    this.timers.clear();
    this.ports.clock.clearTimeout(this.watchdog);
    this.writeRelay(false);
    const lock = this.lockMode === "fail-secure" ? "locked" : "unlocked";
    const changed = this.state.lock !== lock;
    this.state = { ...this.state, lock };
    this.log.info(
      { lockMode: this.lockMode, lock: lock === "locked" ? "locked" : "released" },
      "lock relay de-energised for shutdown",
    );
    if (changed) this.bus.emit(lock === "locked" ? "door.locked" : "door.unlocked", { reason: "shutdown" });
  }

  grant(): void {
    this.dispatch({ type: "grant" });
  }

  /** Lock now: ends a timed unlock and passage mode, never a fire release. */
  lock(): void {
    this.dispatch({ type: "lock-request" });
  }

  setPassage(active: boolean): void {
    this.dispatch({ type: "passage", active });
  }

  /** A technician's reset after a fire alarm (when the rule is manual-reset). */
  resetFire(): { ok: boolean; detail: string } {
    if (this.state.fire === "active") {
      const detail = "the fire panel still signals an alarm; reset the panel first";
      this.bus.emit("door.fire-reset-refused", { detail });
      return { ok: false, detail };
    }
    if (this.state.fire === "off") return { ok: true, detail: "no fire alarm to reset" };
    this.dispatch({ type: "fire-reset" });
    return { ok: true, detail: "fire release ended; the door relocks" };
  }

  /** The door's own alarms that are active now. */
  activeAlarms(): { forcedOpen: boolean; heldOpen: boolean } {
    return { forcedOpen: this.state.forced, heldOpen: this.state.heldOpen };
  }

  snapshot(): DoorSnapshot {
    const s = this.state;
    return {
      lock: s.lock,
      leaf: s.leaf,
      mode: s.fire !== "off" ? "fire" : s.passage ? "passage" : "normal",
      fire: s.fire,
      lockMode: this.lockMode,
      relayEnergised: this.ports.lockRelay.read(),
      relayCycles: this.relayCounter.value,
    };
  }

  onChange(listener: (snapshot: DoorSnapshot) => void): () => void {
    return this.changes.add(listener);
  }

  dispatch(input: DoorInput): void {
    if (this.stopped) return;
    const before = this.state;
    try {
      if (input.type === "grant" || input.type === "exit-request" || input.type === "door-opened") {
        this.lastUnlockStimulus = this.ports.clock.monotonic();
      }
      const result = step(this.state, input, this.settings);
      this.state = result.state;
      for (const effect of result.effects) this.apply(effect);
    } catch (err) {
      // Whatever broke, the lock goes where the machine's state says it must be; the fire
      // release wins over everything.
      this.log.error({ err, input: input.type }, "door step failed; forcing the lock to its safe position");
      this.driveRelay(this.state.fire !== "off" || this.state.passage ? "unlocked" : "locked");
    }
    if (before !== this.state) this.changes.emit(this.snapshot());
  }

  private tick(): void {
    this.watchdog = this.ports.clock.setTimeout(() => {
      this.watchdog = undefined;
      this.guard();
      if (!this.stopped) this.tick();
    }, WATCHDOG_TICK_MS);
  }

  /** The watchdog: a timed unlock past its bound is ended, and the relay re-driven if it disagrees. */
  private guard(): void {
    const s = this.state;
    const heldOnPurpose = s.fire !== "off" || s.passage;
    const age = this.ports.clock.monotonic() - this.lastUnlockStimulus;
    if (s.lock === "unlocked" && !heldOnPurpose && age > this.unlockBoundMs + WATCHDOG_TICK_MS) {
      this.log.error({ ageMs: Math.round(age), hold: s.hold }, "unlock outlived its bound; watchdog relocks");
      this.dispatch({ type: "force-relock" });
    }
    const want = this.energiseFor(this.state.lock);
    if (this.ports.lockRelay.read() !== want) {
      this.log.warn({ want }, "lock relay disagrees with the door state; re-driving it");
      this.writeRelay(want);
    }
  }

  private apply(effect: DoorEffect): void {
    switch (effect.type) {
      case "set-lock":
        this.driveRelay(effect.lock);
        return;
      case "sounder":
        this.ports.alarmSounder?.write(effect.on);
        return;
      case "start-timer": {
        this.ports.clock.clearTimeout(this.timers.get(effect.timer));
        const timer = effect.timer;
        this.timers.set(
          timer,
          this.ports.clock.setTimeout(() => {
            this.timers.delete(timer);
            this.dispatch({ type: "timer", timer });
          }, effect.ms),
        );
        return;
      }
      case "cancel-timer":
        this.ports.clock.clearTimeout(this.timers.get(effect.timer));
        this.timers.delete(effect.timer);
        return;
      case "emit": {
        const { type, ...payload } = effect.event;
        this.bus.emit(type, payload as never);
        return;
      }
    }
  }

  /** A strike (fail-secure) needs power to release; a maglock (fail-safe) needs power to hold. */
  private energiseFor(lock: DoorState["lock"]): boolean {
    return this.lockMode === "fail-secure" ? lock === "unlocked" : lock === "locked";
  }

  private driveRelay(lock: DoorState["lock"]): void {
    this.writeRelay(this.energiseFor(lock));
  }

  private writeRelay(energise: boolean): void {
    const change = this.ports.lockRelay.read() !== energise;
    try {
      this.ports.lockRelay.write(energise);
      if (change) this.relayCounter.increment();
    } catch (err) {
      // The watchdog re-drives the relay on its next tick.
      this.log.error({ err, energise }, "lock relay write failed");
    }
  }
}
