import { z } from "zod";

/**
 * The event journal: `journal` in the station file. Every event is committed here (fsync'd)
 * before it is published, and leaves the backlog only when the broker has acknowledged it (it is
 * then kept as local history, `keepDelivered`).
 */
export const journalSchema = z
  .object({
    file: z
      .string()
      .min(1)
      .default("journal.db")
      .describe("SQLite file of the journal; a relative path is inside dataDir"),
    maxEvents: z
      .number()
      .int()
      .min(100)
      .default(250_000)
      .describe(
        "retention budget: undelivered events kept at most; beyond it the oldest are dropped and counted",
      ),
    maxBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(128 * 1024 * 1024)
      .describe("retention budget: bytes of undelivered event payloads kept at most"),
    warnRatio: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe("the journal.capacity-warning alarm is raised when the budget is this full"),
    maxFileBytes: z
      .number()
      .int()
      .min(1024 * 1024)
      .default(1024 * 1024 * 1024)
      .describe(
        "hard cap of the database file (SQLite max_page_count): reaching it is handled like a full disk",
      ),
    memoryEvents: z
      .number()
      .int()
      .min(100)
      .default(20_000)
      .describe(
        "events held in memory while the disk cannot be written (full, read-only); the oldest beyond are dropped and counted",
      ),
    keepDelivered: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(20_000)
      .describe(
        "delivered events kept in the journal as local history (waystation events, the console's log); 0 deletes them once the broker has them",
      ),
    retryMs: z
      .number()
      .int()
      .min(100)
      .default(5000)
      .describe("how often an unwritable journal is tried again"),
  })
  .strict()
  .prefault({})
  .describe("the fsync'd event journal that the MQTT events are published from");
