import { z } from "zod";

/** What the door and its lock did. */
export const doorEvents = {
  "door.unlocked": z.object({
    reason: z
      .enum(["grant", "exit", "passage", "fire", "shutdown"])
      .describe(
        "a granted credential, the exit button, a passage-mode window, a fire alarm, or the controller stopping or dying with a fail-safe lock (a maglock is released without power)",
      ),
  }),
  "door.locked": z.object({
    reason: z
      .enum(["closed", "timeout", "max-open", "passage-end", "fire-reset", "watchdog", "shutdown", "command"])
      .describe(
        "door shut; nobody opened it in time; open too long; passage window over; fire alarm reset; the safety watchdog; the controller stopping or dying while a fail-secure strike was released; a lock command",
      ),
  }),
  "door.opened": z.object({
    unlocked: z.boolean().describe("whether the lock was released when the leaf opened"),
  }),
  "door.closed": z.object({}),
  "exit.requested": z.object({}),
  "door.fire-reset-refused": z.object({
    detail: z.string().describe("why a technician's fire reset was not applied"),
  }),
} as const;
