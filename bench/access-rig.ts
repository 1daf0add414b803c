import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { AccessController } from "../controller/access/access-controller.ts";
import type { CredentialStore } from "../controller/access/credential-store.ts";
import { UNKNOWN_OCCUPANCY } from "../controller/access/occupancy.ts";
import { NO_FACE_MODULE } from "../controller/access/second-factor.ts";
import { DoorController } from "../controller/door/door-controller.ts";
import { RelayCounter } from "../controller/door/relay-counter.ts";
import { EventBus } from "../controller/events/event-bus.ts";
import type { CardReader, CredentialRead, ReaderStatus } from "../device/ports/card-reader.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { GpioEdge, GpioInput, GpioOutput } from "../device/ports/gpio.ts";
import { Listeners } from "../device/ports/listeners.ts";

/** A card reader the benchmark fires reads from. */
export class BenchReader implements CardReader {
  readonly id = "entry";
  readonly reads = new Listeners<CredentialRead>();
  async start() {}
  async stop() {}
  onRead(l: (r: CredentialRead) => void) {
    return this.reads.add(l);
  }
  onStatus(_l: (s: ReaderStatus) => void) {
    return () => {};
  }
  signal() {}
}

/** A lock output that timestamps the moment the controller commands the release. */
export class TimedRelay implements GpioOutput {
  readonly name = "lockRelay";
  private level = false;
  commandedAt: number | undefined;
  async start() {}
  async stop() {}
  write(active: boolean) {
    if (active && !this.level) this.commandedAt = performance.now();
    this.level = active;
  }
  read() {
    return this.level;
  }
}

class QuietInput implements GpioInput {
  private readonly l = new Listeners<GpioEdge>();
  constructor(
    readonly name: string,
    private readonly level: boolean,
  ) {}
  async start() {}
  async stop() {}
  read() {
    return this.level;
  }
  onEdge(listener: (e: GpioEdge) => void) {
    return this.l.add(listener);
  }
}

export interface AccessRig {
  relay: TimedRelay;
  bus: EventBus;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The controller's real read-to-lock path (access policy, door machine, event stamping and a
 * JSON sink standing in for the journal) over a relay that timestamps the lock command.
 */
export function accessRig(
  readers: readonly CardReader[],
  store: CredentialStore,
  clock: Clock,
  log: Logger,
): AccessRig {
  const relay = new TimedRelay();
  const bus = new EventBus(
    "bench",
    "boot",
    clock,
    () => {},
    () => "synced",
  );
  let bytes = 0;
  bus.subscribe((e) => {
    bytes += JSON.stringify(e).length;
  });
  const door = new DoorController(
    {
      clock,
      lockRelay: relay,
      doorContact: new QuietInput("c", true),
      exitButton: new QuietInput("e", false),
    },
    {
      unlockMs: 1000,
      maxOpenMs: 30000,
      relockDelayMs: 0,
      heldOpenAlarmMs: 30000,
      forcedOpenGraceMs: 0,
      fireRevert: "manual-reset",
    },
    "fail-secure",
    bus,
    log,
    new RelayCounter(undefined, clock, log),
  );
  const access = new AccessController(
    readers,
    store,
    door,
    bus,
    log,
    {
      schedules: new Map(),
      holidays: new Set(),
      timezone: "Asia/Shanghai",
      lockout: { threshold: 5, cooldownMs: 60_000 },
      rereadSuppressMs: 0,
      capacity: undefined,
      antiPassbackMs: 0,
      faceDownPolicy: "deny",
      faceWindowMs: 10_000,
      pins: { minLength: 6, allowPinOnly: false, secondFactorWindowMs: 30_000 },
    },
    { clock, timeQuality: () => "synced", occupancy: UNKNOWN_OCCUPANCY, face: NO_FACE_MODULE },
  );
  return {
    relay,
    bus,
    async start() {
      await door.start();
      await access.start();
    },
    async stop() {
      await access.stop();
      await door.stop();
      if (bytes === 0) throw new Error("bench: no events were produced");
    },
  };
}
