import { z } from "zod";

/** The technician console: `console` in the station file. */
export const consoleSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z
      .string()
      .default("127.0.0.1")
      .describe(
        "address the technician console listens on; 0.0.0.0 opens it to the whole network (a warning)",
      ),
    port: z.number().int().min(1).max(65535).default(8080),
    allowedHosts: z
      .array(
        z
          .string()
          .regex(
            /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
            "a host name or address, e.g. station-12.site.lan",
          ),
      )
      .default([])
      .describe("further names the console answers to (requests naming any other host are refused)"),
    maxStreamClients: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(8)
      .describe("live event-stream clients at most; one more is refused"),
  })
  .strict()
  .prefault({});
