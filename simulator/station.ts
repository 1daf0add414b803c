import type { Logger } from "pino";
import { StationError } from "../config/errors.ts";
import type { StationConfig } from "../config/schema.ts";
import { DebouncedInput } from "../device/gpio/debounce.ts";
import type { Hardware } from "../device/hardware.ts";
import type { IdentifierHasher } from "../device/identity/hasher.ts";
import type { Clock } from "../device/ports/clock.ts";
import type { TimeQuality } from "../device/ports/time-source.ts";
import { SimCardReader } from "./card-reader.ts";
import { type DoorJam, DoorModel, type DoorPhysics } from "./door-model.ts";
import { SimInputLine, SimOutputLine } from "./gpio-lines.ts";
import type { SimReaderSlot } from "./reader-slot.ts";
import { SimTimeSource } from "./time-source.ts";

/** What a person (or a test, or the console) can do at a simulated station. */
export interface SimControl {
  tap(uidHex: string, readerId?: string): void;
  pushDoor(): boolean;
  holdDoor(): boolean;
  releaseDoor(): void;
  forceDoor(): void;
  jamDoor(kind: DoorJam): void;
  pressExitButton(): void;
  setFireAlarm(active: boolean): void;
  setTamper(active: boolean): void;
  setOnBattery(active: boolean): void;
  setTimeQuality(quality: TimeQuality): void;
  /** step the wall clock (NTP correction, wrong RTC); needs a clock that allows it */
  setWallTime(epochMs: number): void;
  snapshot(): SimSnapshot;
}

export interface SimSnapshot {
  door: DoorPhysics;
  inputs: { fireAlarm: boolean; tamper: boolean; onBattery: boolean };
  sounder: boolean;
  timeQuality: TimeQuality;
  wallTime: string;
  readers: { id: string; lastSignals: string[] }[];
}

export interface SimulatedStation {
  hardware: Hardware;
  control: SimControl;
  door: DoorModel;
  readers: SimReaderSlot[];
  timeSource: SimTimeSource;
  /** the simulated people and leaf only act between start() and stop() */
  start(): void;
  stop(): void;
}

const EXIT_PRESS_MS = 300;
const SWING_SHUT_MS = 4000;
const WALL_TIME_MIN = Date.UTC(2000, 0, 1);
const WALL_TIME_MAX = Date.UTC(2100, 0, 1);

type AdjustableClock = Clock & { setWallTime?: (epochMs: number) => void };

export function createSimulatedStation(
  config: StationConfig,
  deps: {
    clock: AdjustableClock;
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
  const sounder = new SimOutputLine("alarmSounder");
  const contactRaw = new SimInputLine("doorContact", true, clock);
  const exitRaw = new SimInputLine("exitButton", false, clock);
  const fireRaw = new SimInputLine("fireAlarm", false, clock);
  const tamperRaw = new SimInputLine("tamper", false, clock);
  const batteryRaw = new SimInputLine("onBattery", false, clock);
  const timeSource = new SimTimeSource("synced");
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
  const debounced = (raw: SimInputLine, pin: { debounceMs: number } | undefined) =>
    pin ? new DebouncedInput(raw, pin.debounceMs, clock) : undefined;

  // Optional lines exist in the simulation only when the station file wires them, as on a real board.
  const hardware: Hardware = {
    label: "simulated hardware",
    clock,
    timeSource,
    lockRelay: relay,
    doorContact: new DebouncedInput(contactRaw, gpio.doorContact.debounceMs, clock),
    exitButton: new DebouncedInput(exitRaw, gpio.exitButton.debounceMs, clock),
    fireAlarm: debounced(fireRaw, gpio.fireAlarm),
    tamper: debounced(tamperRaw, gpio.tamper),
    onBattery: debounced(batteryRaw, gpio.onBattery),
    alarmSounder: gpio.alarmSounder ? sounder : undefined,
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
  const wired = (name: string, present: unknown) => {
    if (!present) {
      throw new StationError("SIM_BAD_COMMAND", "sim", `this station has no ${name} input`, {
        hint: `wire it in the station file: hardware.gpio.${name}`,
      });
    }
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
    jamDoor: (kind) => door.jam(kind),
    pressExitButton() {
      log.info("exit button pressed");
      exitRaw.set(true);
      clock.setTimeout(() => exitRaw.set(false), EXIT_PRESS_MS);
    },
    setFireAlarm(active) {
      wired("fireAlarm", gpio.fireAlarm);
      log.info({ active }, "fire alarm panel input");
      fireRaw.set(active);
    },
    setTamper(active) {
      wired("tamper", gpio.tamper);
      tamperRaw.set(active);
    },
    setOnBattery(active) {
      wired("onBattery", gpio.onBattery);
      batteryRaw.set(active);
    },
    setTimeQuality: (q) => timeSource.set(q),
    setWallTime(epochMs) {
      if (!clock.setWallTime) throw new StationError("SIM_BAD_COMMAND", "sim", "this clock cannot be set");
      // A date JavaScript can hold but a station never sees: the clock would run past the last
      // representable instant, and every event's ISO time after it would throw.
      if (!(epochMs >= WALL_TIME_MIN && epochMs < WALL_TIME_MAX)) {
        throw new StationError("SIM_TIME_OUT_OF_RANGE", "sim", "set-time accepts times from 2000 to 2099", {
          hint: "e.g. waystation sim set-time 2026-12-01T03:00:00+08:00",
        });
      }
      clock.setWallTime(epochMs);
      log.info({ wallTime: new Date(epochMs).toISOString() }, "wall clock stepped");
    },
    snapshot: () => ({
      door: door.physics(),
      inputs: { fireAlarm: fireRaw.read(), tamper: tamperRaw.read(), onBattery: batteryRaw.read() },
      sounder: sounder.read(),
      timeQuality: timeSource.quality(),
      wallTime: new Date(clock.now()).toISOString(),
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
  return { hardware, control, door, readers, timeSource, start, stop };
}
