import type { Logger } from "pino";
import type { z } from "zod";
import type { StationConfig } from "../config/schema.ts";
import type { Hardware } from "../device/hardware.ts";
import type { BusScheduler } from "../device/modbus/bus-scheduler.ts";
import type { CardReader } from "../device/ports/card-reader.ts";
import type { CredentialStore } from "./access/credential-store.ts";
import type { OccupancyFigure } from "./access/occupancy.ts";
import type { SecondFactor } from "./access/second-factor.ts";
import type { AlarmBoard } from "./alarms/alarm-board.ts";
import type { StationState } from "./contract/state.ts";
import type { EventBus } from "./events/event-bus.ts";
import type { TelemetryPart } from "./mqtt/telemetry-reporter.ts";
import type { RestartState } from "./persist/restart-state.ts";
import type { CommandIntakeLink as CommandLink } from "./remote/command-intake.ts";
import type { CommandRouter } from "./remote/command-router.ts";
import type { SafetyCause } from "./safety/safety-machine.ts";

/**
 * How a capability joins the station (architecture brief, "Subsystems"). The entrance is the
 * first; occupancy, outlets, the cabinet, face and remote management join the same way, so
 * `Station` and the composition root do not grow a block of wiring per capability.
 *
 * Lifecycle: the factory only assigns (no I/O), `start()` does the I/O, `stop()` undoes it.
 * `snapshot()` may be called before `start()` and after `stop()` and must not throw.
 */
export interface Subsystem {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** this subsystem's slices of `state`, keyed by their top-level field */
  snapshot(): Partial<StationState>;
  /**
   * This subsystem's part of the `telemetry` message (its fields, and what change in them is
   * reported at once rather than at the next heartbeat); read at each report.
   */
  telemetry?(): TelemetryPart;
  /**
   * The process is dying (an uncaught exception): drive every output this subsystem owns to its
   * safe level, synchronously, now. Nothing async runs after it; `stop()` will not be called.
   */
  failSafe?(): void;
  /** called when the snapshot changed; the station re-publishes `state` (debounced) */
  onChange?(listener: () => void): () => void;
  /** commands the router accepts for this subsystem (remote, console and CLI alike) */
  readonly commands?: readonly CommandSpec[];
  readonly doctorChecks?: readonly DoctorCheck[];
  readonly selftestSteps?: readonly SelftestStep[];
}

/**
 * Narrow ports between subsystems. A subsystem that provides one sets it while it is
 * constructed; consumers read it lazily (at the moment they need it), so the order of the
 * factories only matters for start and stop. Subsystems never call each other otherwise:
 * everything else goes over the event bus.
 */
export interface StationPorts {
  /** the occupancy figure the capacity rule reads */
  occupancy?: OccupancyFigure;
  /** the face check a card-plus-face credential needs */
  face?: SecondFactor;
  /** the face subsystem's reader: 1:N matches go through the same decision path as a card */
  faceEntry?: CardReader;
  /** set by Station: the MQTT link; downstream subscriptions go through it, so its guards apply */
  mqtt?: CommandLink & { onConnect(listener: () => void): () => void };
  /** set by Station: the router every command, remote or local, goes through */
  commands?: CommandRouter;
  /** the station's alarms: restored after a restart, pairs kept honest (set by Station) */
  alarms?: AlarmBoard;
  /**
   * what a restart must keep (a latched fire, lockouts, quarantines): `restored` at start,
   * `track()` your part and call `changed()` when it changes (set by Station)
   */
  restart?: RestartState;
  /** the entrance: release the door for egress while a source holds it (a battery fire) */
  egress?: EgressRelease;
  /** the Modbus buses: the scheduler of each, by bus id */
  modbus?: ModbusBuses;
  /** the outlets: cut (and hold off) every outlet's power */
  outletPower?: PowerCut;
  /** the cabinet: cut (and hold off) the chargers' mains */
  cabinetPower?: PowerCut;
  /** the safety coordinator: where thermal and smoke signals go */
  safety?: SafetySignals;
}

export interface EgressRelease {
  request(source: string, active: boolean): void;
}

export interface PowerCut {
  /** synchronous: the relays are off when this returns */
  cut(active: boolean, reason: string): void;
}

export interface SafetySignals {
  signal(cause: SafetyCause, active: boolean, detail?: string): void;
}

export interface ModbusBuses {
  scheduler(busId: string): BusScheduler | undefined;
}

export interface SubsystemContext {
  readonly config: StationConfig;
  /** the station file as written, before the central server's desired overlay (default: config) */
  readonly fileConfig?: StationConfig;
  readonly hardware: Hardware;
  readonly bus: EventBus;
  readonly credentials: CredentialStore;
  readonly logger: Logger;
  readonly ports: StationPorts;
}

/** undefined when the station file does not configure the capability */
export type SubsystemFactory = (ctx: SubsystemContext) => Subsystem | undefined;

/** Who asked for a command: the central server (a verified key) or someone at the station. */
export type Principal =
  | { readonly kind: "central"; readonly keyId: string }
  | { readonly kind: "local"; readonly via: "console" | "cli"; readonly user?: string };

export interface CommandResult {
  readonly status: "ok" | "error";
  /** a stable code for errors (and for notable successes), never message text to branch on */
  readonly code?: string;
  readonly data?: unknown;
}

/** What a command is handed besides its arguments. */
export interface CommandContext {
  readonly principal: Principal;
  /** a line of progress for long work (selftest), streamed to whoever asked when they can take it */
  readonly progress?: (line: string) => void;
}

export interface CommandSpec<A = unknown> {
  readonly name: string;
  readonly summary: string;
  readonly args: z.ZodType<A>;
  run(args: A, ctx: CommandContext): Promise<CommandResult>;
}

/** Build a spec with its argument type inferred from the schema. */
export function defineCommand<S extends z.ZodType>(spec: {
  name: string;
  summary: string;
  args: S;
  run(args: z.output<S>, ctx: CommandContext): Promise<CommandResult>;
}): CommandSpec {
  return spec as unknown as CommandSpec;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
  /** what to do about a failure */
  readonly hint?: string;
  /** the check could not apply here (nobody at the door, nothing wired): neither pass nor fail */
  readonly skipped?: boolean;
}

export interface DoctorCheck {
  readonly id: string;
  readonly title: string;
  run(): Promise<CheckResult>;
}

export interface SelftestContext {
  /** a line for the technician while the step runs ("open the door now") */
  progress(line: string): void;
  /** a technician is at the station and will act when asked (open the door, tap a card) */
  readonly attended: boolean;
}

/** One item of `selftest`: it exercises the hardware of a running station and reads it back. */
export interface SelftestStep {
  readonly id: string;
  readonly title: string;
  run(ctx: SelftestContext): Promise<CheckResult>;
}
