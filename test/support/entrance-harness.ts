import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigText } from "../../config/load.ts";
import type { StationConfig } from "../../config/schema.ts";
import { type CredentialRecord, MemoryCredentialStore } from "../../controller/access/credential-store.ts";
import type { OccupancyFigure } from "../../controller/access/occupancy.ts";
import type { SecondFactor } from "../../controller/access/second-factor.ts";
import type { StationEvent } from "../../controller/contract/events.ts";
import { Entrance } from "../../controller/entrance.ts";
import { EventBus } from "../../controller/events/event-bus.ts";
import { ManualClock } from "../../device/clock/manual-clock.ts";
import { createIdentifierHasher, parseHexIdentifier } from "../../device/identity/hasher.ts";
import { createSimulatedStation, type SimulatedStation } from "../../simulator/station.ts";
import { captureLogger } from "./capture-log.ts";

export const HARNESS_KEY = "5a".repeat(32);
export const hasher = createIdentifierHasher(HARNESS_KEY);
export const cardHash = (uid: string) => hasher("card-uid", parseHexIdentifier(uid) ?? new Uint8Array());

/** A station file for the harness: every optional input wired, quick debounce, the given extras. */
export function harnessConfig(
  extraYaml = "",
  dir = mkdtempSync(join(tmpdir(), "ws-entrance-")),
): StationConfig {
  const r = parseConfigText(
    `station: { id: harness }
dataDir: ${dir}
hardware:
  mode: simulated
  gpio:
    lockRelay: { pin: 17 }
    doorContact: { pin: 27, debounceMs: 0 }
    exitButton: { pin: 22, debounceMs: 0 }
    fireAlarm: { pin: 5, debounceMs: 0 }
    tamper: { pin: 6, debounceMs: 0 }
    onBattery: { pin: 13, debounceMs: 0 }
    alarmSounder: { pin: 19 }
${extraYaml}`,
  );
  if (!r.ok) throw new Error(`harness config: ${JSON.stringify(r.issues)}`);
  return r.config;
}

export interface Harness {
  clock: ManualClock;
  sim: SimulatedStation;
  entrance: Entrance;
  bus: EventBus;
  events: StationEvent[];
  logs: string[];
  store: MemoryCredentialStore;
  /** errors thrown by event sinks (the bus catches them so the door carries on) */
  sinkErrors: unknown[];
  stop(): Promise<void>;
}

/**
 * The controller's entrance (door, access, alarms) over the simulated station, with a clock the
 * test moves. What it emits and logs is kept for the test to read.
 */
export async function entranceHarness(opts: {
  config: StationConfig;
  credentials?: CredentialRecord[];
  wallTime?: number;
  occupancy?: OccupancyFigure;
  face?: SecondFactor;
  swingShutMs?: number;
}): Promise<Harness> {
  const clock = new ManualClock(opts.wallTime);
  const { logger, lines } = captureLogger("debug");
  const sim = createSimulatedStation(opts.config, {
    clock,
    hasher,
    logger,
    swingShutMs: opts.swingShutMs ?? 3000,
  });
  const sinkErrors: unknown[] = [];
  const bus = new EventBus(
    "harness",
    "boot-1",
    clock,
    (err) => sinkErrors.push(err),
    () => sim.timeSource.quality(),
  );
  const events: StationEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const store = new MemoryCredentialStore(opts.credentials ?? []);
  const entrance = new Entrance({
    config: opts.config,
    hardware: sim.hardware,
    credentials: store,
    bus,
    logger,
    ...(opts.occupancy ? { occupancy: opts.occupancy } : {}),
    ...(opts.face ? { face: opts.face } : {}),
  });
  sim.start();
  await entrance.start();
  await entrance.startReaders();
  // What happened at start (reader.online and the like) is not what a test looks at.
  events.length = 0;
  return {
    clock,
    sim,
    entrance,
    bus,
    events,
    logs: lines,
    store,
    sinkErrors,
    async stop() {
      await entrance.stop();
      sim.stop();
    },
  };
}

export const worker = (uid: string, extra: Partial<CredentialRecord> = {}): CredentialRecord => ({
  credential: cardHash(uid),
  personId: `person-${cardHash(uid).slice(0, 6)}`,
  role: "worker",
  status: "active",
  secondFactor: false,
  ...extra,
});

/** Event types (with the reason or alarm, when there is one) since index `from`. */
export function summary(events: readonly StationEvent[], from = 0): string[] {
  return events.slice(from).map((e) => {
    const x = e as StationEvent & { reason?: string; alarm?: string };
    return x.alarm ? `${e.type}:${x.alarm}` : x.reason ? `${e.type}:${x.reason}` : e.type;
  });
}
