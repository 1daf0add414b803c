import { UNKNOWN_OCCUPANCY } from "./access/occupancy.ts";
import { NO_FACE_MODULE } from "./access/second-factor.ts";
import { doorCommands } from "./door/door-commands.ts";
import { Entrance } from "./entrance.ts";
import type { CommandSpec, Subsystem, SubsystemContext } from "./subsystem.ts";

/** The entrance (door, access, alarms) as the station's first subsystem. */
export class EntranceSubsystem implements Subsystem {
  readonly name = "entrance";
  readonly entrance: Entrance;
  readonly commands: readonly CommandSpec[];

  constructor(ctx: SubsystemContext) {
    const { ports } = ctx;
    this.entrance = new Entrance({
      config: ctx.config,
      hardware: ctx.hardware,
      credentials: ctx.credentials,
      bus: ctx.bus,
      logger: ctx.logger,
      ...(ports.alarms ? { alarms: ports.alarms } : {}),
      ...(ports.restart ? { restart: ports.restart } : {}),
      // Read at decision time: the subsystems that provide them are built after this one.
      occupancy: { current: () => (ports.occupancy ?? UNKNOWN_OCCUPANCY).current() },
      face: {
        status: () => (ports.face ?? NO_FACE_MODULE).status(),
        verified: (personId, withinMs) => (ports.face ?? NO_FACE_MODULE).verified(personId, withinMs),
      },
    });
    // The door's commands (unlock, lock, passage-mode, fire-reset), for the router.
    this.commands = doorCommands(this.entrance.door);
  }

  async start(): Promise<void> {
    // The door first: whatever fails later, the lock is in its configured state.
    await this.entrance.start();
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
