import { CabinetSubsystem } from "./cabinet/cabinet-subsystem.ts";
import { EntranceSubsystem } from "./entrance-subsystem.ts";
import { FaceSubsystem } from "./face/face-subsystem.ts";
import { ModbusSubsystem } from "./modbus/modbus-subsystem.ts";
import { OccupancySubsystem } from "./occupancy/occupancy-subsystem.ts";
import { OutletsSubsystem } from "./power/outlets-subsystem.ts";
import { RemoteSubsystem } from "./remote/remote-subsystem.ts";
import { SafetyCoordinator } from "./safety/safety-coordinator.ts";
import type { SubsystemFactory } from "./subsystem.ts";

/**
 * Every capability of a station, in start order (stopped in reverse). A capability joins with
 * one line here; its factory returns undefined when the station file does not configure it.
 * The entrance comes first: the lock is in its configured state before anything else starts.
 */
export const SUBSYSTEMS: readonly SubsystemFactory[] = [
  (ctx) => new EntranceSubsystem(ctx),
  // Safety before what it protects: smoke present at boot cuts before the first outlet read.
  ({ config: c, ...ctx }) =>
    c.outlets?.list.length || c.cabinet || c.safety.smokeDetector
      ? new SafetyCoordinator({ config: c, ...ctx })
      : undefined,
  (ctx) => (ctx.config.modbus.length > 0 ? new ModbusSubsystem(ctx) : undefined),
  (ctx) => (ctx.config.outlets?.list.length ? new OutletsSubsystem(ctx) : undefined),
  (ctx) => (ctx.config.cabinet ? new CabinetSubsystem(ctx, ctx.config.cabinet) : undefined),
  (ctx) => OccupancySubsystem.create(ctx),
  (ctx) =>
    ctx.config.face
      ? new FaceSubsystem({ ...ctx, config: { ...ctx.config, face: ctx.config.face } })
      : undefined,
  (ctx) => (ctx.config.remote ? new RemoteSubsystem(ctx, ctx.config.remote) : undefined),
];
