import { EntranceSubsystem } from "./entrance-subsystem.ts";
import { RemoteSubsystem } from "./remote/remote-subsystem.ts";
import type { SubsystemFactory } from "./subsystem.ts";

/**
 * Every capability of a station, in start order (stopped in reverse). A capability joins with
 * one line here; its factory returns undefined when the station file does not configure it.
 * The entrance comes first: the lock is in its configured state before anything else starts.
 */
export const SUBSYSTEMS: readonly SubsystemFactory[] = [
  (ctx) => new EntranceSubsystem(ctx),
  (ctx) => (ctx.config.remote ? new RemoteSubsystem(ctx, ctx.config.remote) : undefined),
];
