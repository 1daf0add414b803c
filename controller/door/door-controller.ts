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
  initialDoorState,
  step,
} from "./machine.ts";

export type LockMode = "fail-secure" | "fail-safe";

export interface DoorPorts {
  readonly clock: Clock;
  readonly lockRelay: GpioOutput;
  readonly doorContact: GpioInput;
  readonly exitButton: GpioInput;
}

export interface DoorSnapshot {
  lock: DoorState["lock"];
  leaf: DoorState["leaf"];
  lockMode: LockMode;
  relayEnergised: boolean;
  /** relay operations since start; relays wear out */
  relayCycles: number;
}

/**
 * Runs the pure door machine against the real (or simulated) lines: feeds it edges and timer
 * expiries, and carries out the effects it returns.
 */
export class DoorController {
  private state: DoorState = initialDoorState("closed");
  private readonly timers = new Map<DoorTimer, TimerHandle>();
  private readonly changes = new Listeners<DoorSnapshot>();
  private readonly unsubscribers: (() => void)[] = [];
  private relayCycles = 0;

  constructor(
    private readonly ports: DoorPorts,
    private readonly settings: DoorSettings,
    private readonly lockMode: LockMode,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.ports.lockRelay.start();
    this.driveRelay("locked");
    await this.ports.doorContact.start();
    await this.ports.exitButton.start();
    this.state = initialDoorState(this.ports.doorContact.read() ? "closed" : "open");
    this.unsubscribers.push(
      this.ports.doorContact.onEdge((e) => this.dispatch({ type: e.active ? "door-closed" : "door-opened" })),
      this.ports.exitButton.onEdge((e) => {
        if (e.active) this.dispatch({ type: "exit-request" });
      }),
    );
    this.log.info({ door: this.snapshot() }, "door ready");
  }

  /** Leaves the relay de-energised: the lock falls to its configured fail-safe or fail-secure state. */
  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    for (const t of this.timers.values()) this.ports.clock.clearTimeout(t);
    this.timers.clear();
    this.writeRelay(false);
    this.state = { ...this.state, lock: this.lockMode === "fail-secure" ? "locked" : "unlocked" };
    this.log.info(
      { lockMode: this.lockMode, lock: this.lockMode === "fail-secure" ? "locked" : "released" },
      "lock relay de-energised for shutdown",
    );
    await this.ports.exitButton.stop();
    await this.ports.doorContact.stop();
    await this.ports.lockRelay.stop();
  }

  grant(): void {
    this.dispatch({ type: "grant" });
  }

  snapshot(): DoorSnapshot {
    return {
      lock: this.state.lock,
      leaf: this.state.leaf,
      lockMode: this.lockMode,
      relayEnergised: this.ports.lockRelay.read(),
      relayCycles: this.relayCycles,
    };
  }

  onChange(listener: (snapshot: DoorSnapshot) => void): () => void {
    return this.changes.add(listener);
  }

  dispatch(input: DoorInput): void {
    const before = this.state;
    const result = step(this.state, input, this.settings);
    this.state = result.state;
    for (const effect of result.effects) this.apply(effect);
    if (before !== this.state) this.changes.emit(this.snapshot());
  }

  private apply(effect: DoorEffect): void {
    switch (effect.type) {
      case "set-lock":
        this.driveRelay(effect.lock);
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

  private driveRelay(lock: DoorState["lock"]): void {
    // A strike (fail-secure) needs power to release; a maglock (fail-safe) needs power to hold.
    const energise = this.lockMode === "fail-secure" ? lock === "unlocked" : lock === "locked";
    this.writeRelay(energise);
  }

  private writeRelay(energise: boolean): void {
    if (this.ports.lockRelay.read() !== energise) this.relayCycles++;
    try {
      this.ports.lockRelay.write(energise);
    } catch (err) {
      this.log.error({ err, energise }, "lock relay write failed");
    }
  }
}
