import type { Logger } from "pino";
import { StationError } from "../config/errors.ts";
import type { StationConfig } from "../config/schema.ts";
import { DebouncedInput } from "../device/gpio/debounce.ts";
import type { Hardware } from "../device/hardware.ts";
import type { IdentifierHasher } from "../device/identity/hasher.ts";
import type { Clock } from "../device/ports/clock.ts";
import { SimCardReader } from "./card-reader.ts";
import { DoorModel, type DoorPhysics } from "./door-model.ts";
import { SimInputLine, SimOutputLine } from "./gpio-lines.ts";
import type { SimReaderSlot } from "./reader-slot.ts";

/** What a person (or a test, or the console) can do at a simulated station. */
export interface SimControl {
  tap(uidHex: string, readerId?: string): void;
  pushDoor(): boolean;
  holdDoor(): boolean;
  releaseDoor(): void;
  forceDoor(): void;
  pressExitButton(): void;
  snapshot(): SimSnapshot;
}

export interface SimSnapshot {
  door: DoorPhysics;
  readers: { id: string; lastSignals: string[] }[];
}

export interface SimulatedStation {
  hardware: Hardware;
  control: SimControl;
  door: DoorModel;
  readers: SimReaderSlot[];
  /** the simulated people and leaf only act between start() and stop() */
  start(): void;
  stop(): void;
}

const EXIT_PRESS_MS = 300;
const SWING_SHUT_MS = 4000;

export function createSimulatedStation(
  config: StationConfig,
  deps: {
    clock: Clock;
    hasher: IdentifierHasher;
    logger: Logger;
    swingShutMs?: number;
    /** readers built by the composition root (scripts/readers.ts); default: in-process ones */
    readers?: readonly SimReaderSlot[];
  },
): SimulatedStation {
  const { clock, hasher } = deps;
  const log = deps.logger.child({ module: "simulator" });
  const gpio = config.hardware.gpio;
  const relay = new SimOutputLine("lockRelay");
  const contactRaw = new SimInputLine("doorContact", true, clock);
  const exitRaw = new SimInputLine("exitButton", false, clock);
  const readers: SimReaderSlot[] = deps.readers
    ? [...deps.readers]
    : config.hardware.readers.map((r) => new SimCardReader(r.id, hasher, clock));
  const door = new DoorModel(
    relay,
    contactRaw,
    clock,
    { lockKind: config.door.lockMode, swingShutMs: deps.swingShutMs ?? SWING_SHUT_MS },
    log,
  );

  const hardware: Hardware = {
    label: "simulated hardware",
    clock,
    lockRelay: relay,
    doorContact: new DebouncedInput(contactRaw, gpio.doorContact.debounceMs, clock),
    exitButton: new DebouncedInput(exitRaw, gpio.exitButton.debounceMs, clock),
    readers: readers.map((r) => r.reader),
  };

  const readerById = (id?: string): SimReaderSlot => {
    const reader = id === undefined ? readers[0] : readers.find((r) => r.id === id);
    if (!reader) {
      throw new StationError("SIM_BAD_COMMAND", "sim", `no reader "${id}"`, {
        hint: `readers: ${readers.map((r) => r.id).join(", ")}`,
      });
    }
    return reader;
  };

  const control: SimControl = {
    tap(uidHex, readerId) {
      const reader = readerById(readerId);
      reader.tap(uidHex);
      log.info({ readerId: reader.id }, "a card was tapped");
    },
    pushDoor: () => door.push(),
    holdDoor: () => door.hold(),
    releaseDoor: () => door.release(),
    forceDoor: () => door.force(),
    pressExitButton() {
      log.info("exit button pressed");
      exitRaw.set(true);
      clock.setTimeout(() => exitRaw.set(false), EXIT_PRESS_MS);
    },
    snapshot: () => ({
      door: door.physics(),
      readers: readers.map((r) => ({ id: r.id, lastSignals: r.signals.slice(-5) })),
    }),
  };

  const start = () => {
    door.start();
    for (const r of readers) r.start?.();
  };
  const stop = () => {
    for (const r of readers) r.stop?.();
    door.stop();
  };
  return { hardware, control, door, readers, start, stop };
}
