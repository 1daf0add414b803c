import { z } from "zod";

/** Reader health and cards the reader could not use. */
export const readerEvents = {
  "reader.online": z.object({ readerId: z.string(), detail: z.string().optional() }),
  "reader.offline": z.object({ readerId: z.string(), detail: z.string().optional() }),
  "reader.unsupported-card": z.object({ readerId: z.string(), detail: z.string() }),
} as const;
