import { z } from "zod";

/** What the door and its lock did. */
export const doorEvents = {
  "door.unlocked": z.object({ reason: z.enum(["grant", "exit"]) }),
  "door.locked": z.object({ reason: z.enum(["closed", "timeout", "max-open"]) }),
  "door.opened": z.object({ unlocked: z.boolean() }),
  "door.closed": z.object({}),
  "exit.requested": z.object({}),
} as const;
