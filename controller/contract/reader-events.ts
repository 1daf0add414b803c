import { z } from "zod";
import { credentialHash, RoleSchema } from "./access-events.ts";

/** Reader health and cards the reader could not use. */
export const readerEvents = {
  "reader.online": z.object({ readerId: z.string(), detail: z.string().optional() }),
  "reader.offline": z.object({ readerId: z.string(), detail: z.string().optional() }),
  "reader.unsupported-card": z.object({ readerId: z.string(), detail: z.string() }),
  "reader.identify-started": z
    .object({
      seconds: z.number().int().describe("how long; it ends by itself"),
      until: z.string().describe("ISO 8601 time it ends"),
    })
    .describe('"who is this card" on: card reads are shown, not decided (no door opens)'),
  "reader.identify-ended": z.object({ reason: z.enum(["timeout", "stopped"]) }),
  "reader.card-identified": z
    .object({
      readerId: z.string(),
      credential: credentialHash,
      format: z.string().describe("shape of the identifier (uid-4, serial-8, ...), never its value"),
      known: z.boolean().describe("the store holds this credential"),
      personId: z.string().optional(),
      role: RoleSchema.optional(),
      status: z.enum(["active", "blocked", "lost"]).optional(),
    })
    .describe("a card read in identify mode: nothing was decided, the door stayed shut"),
} as const;
