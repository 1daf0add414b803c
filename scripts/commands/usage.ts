import { StationError } from "../../config/errors.ts";

export type Command = (args: string[]) => Promise<number>;

/** A command that keeps running (a station) returns this instead of an exit code. */
export const KEEP_RUNNING = -1;

export function usageError(message: string): StationError {
  return new StationError("CLI_USAGE", "cli", message, { hint: "waystation --help" });
}
