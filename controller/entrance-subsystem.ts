import { UNKNOWN_OCCUPANCY } from "./access/occupancy.ts";
import { NO_FACE_MODULE } from "./access/second-factor.ts";
import { doorCommands } from "./door/door-commands.ts";
import { Entrance } from "./entrance.ts";
import { entranceDoctorChecks } from "./entrance-doctor.ts";
import { enrolCommand } from "./entrance-enrol.ts";
import { entranceSelftestSteps } from "./entrance-selftest.ts";
import type { CommandSpec, DoctorCheck, SelftestStep, Subsystem, SubsystemContext } from "./subsystem.ts";

/** The entrance (door, access, alarms) as the station's first subsystem. */
export class EntranceSubsystem implements Subsystem {
  readonly name = "entrance";
  readonly entrance: Entrance;
  readonly commands: readonly CommandSpec[];
  readonly selftestSteps: readonly SelftestStep[];
  readonly doctorChecks: readonly DoctorCheck[];

  private readonly ports: SubsystemContext["ports"];

  constructor(ctx: SubsystemContext) {
    const { ports } = ctx;
    this.ports = ports;
    this.entrance = new Entrance({
      config: ctx.config,
      hardware: ctx.hardware,
      credentials: ctx.credentials,
      bus: ctx.bus,
      logger: ctx.logger,
      ...(ports.alarms ? { alarms: ports.alarms } : {}),
      ...(ports.restart ? { restart: ports.restart } : {}),
      // Read at decision time: the subsystems that provide them are built after this one.
      occupancy: {
        current: () => (ports.occupancy ?? UNKNOWN_OCCUPANCY).current(),
        isInside: (credential) => ports.occupancy?.isInside?.(credential) ?? false,
        readerDirection: (readerId) => ports.occupancy?.readerDirection?.(readerId) ?? "in",
      },
      face: {
        status: () => (ports.face ?? NO_FACE_MODULE).status(),
        verified: (personId, withinMs) => (ports.face ?? NO_FACE_MODULE).verified(personId, withinMs),
      },
    });
    const door = this.entrance.door;
    this.selftestSteps = entranceSelftestSteps(this.entrance, ctx.hardware, ctx.config);
    this.doctorChecks = entranceDoctorChecks(this.entrance, ctx.hardware, ctx.config, ctx.bus);
    // The one way another subsystem may open the door: an egress hold, as the fire input gives.
    ports.egress = { request: (source, active) => door.requestEgress(source, active) };
    ports.liveConfig = { apply: (config) => this.entrance.reconfigure(config) };
    // The door's commands (unlock, lock, passage-mode, fire-reset), and reading a card to enrol.
    this.commands = [
      ...doorCommands(door),
      enrolCommand(ctx.bus, () => ctx.config.hardware.readers.map((r) => r.id)),
      this.entrance.identify.command(),
    ];
  }

  async start(): Promise<void> {
    // The door first: whatever fails later, the lock is in its configured state.
    await this.entrance.start();
    if (this.ports.faceEntry) this.entrance.access.addReader(this.ports.faceEntry);
    await this.entrance.startReaders();
  }

  async stop(): Promise<void> {
    await this.entrance.stop();
  }

  failSafe(): void {
    this.entrance.failSafe();
  }

  snapshot() {
    return this.entrance.snapshot();
  }

  onChange(listener: () => void): () => void {
    return this.entrance.door.onChange(() => listener());
  }
}
