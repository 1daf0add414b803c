import { z } from "zod";

const budget = {
  usedRatio: z.number().min(0).describe("fullness of the retention budget: the larger of events and bytes"),
  events: z.number().int().min(0).describe("undelivered events in the journal"),
  bytes: z.number().int().min(0).describe("bytes of undelivered event payloads"),
  maxEvents: z.number().int().min(1),
  maxBytes: z.number().int().min(1),
};

export const JournalErrorCodeSchema = z
  .enum(["JOURNAL_READ_ONLY", "JOURNAL_DISK_FULL", "JOURNAL_IO", "JOURNAL_CORRUPT", "JOURNAL_UNAVAILABLE"])
  .describe("what is wrong with the journal's storage");

/**
 * The journal's own alarms. They travel through the journal like every other event, so the
 * central server reads an explanation next to every gap it could see.
 */
export const journalEvents = {
  "journal.capacity-warning": z
    .object(budget)
    .describe("the retention budget is past its warning ratio (80 % by default): deliver, or lose"),
  "journal.capacity-normal": z.object(budget).describe("back under the warning ratio"),
  "journal.dropped": z
    .object({
      count: z.number().int().min(1).describe("events dropped undelivered since the last report"),
      fromSeq: z.number().int().min(1).describe("lowest seq dropped"),
      toSeq: z.number().int().min(1).describe("highest seq dropped"),
      droppedTotal: z.number().int().min(0).describe("events ever dropped by this station's journal"),
      reason: z
        .enum(["retention", "memory"])
        .describe(
          "retention: the budget was full; memory: the disk was unwritable and the memory buffer full",
        ),
    })
    .describe("events were removed before the broker acknowledged them: never silently"),
  "journal.unwritable": z
    .object({
      code: JournalErrorCodeSchema,
      detail: z.string(),
      path: z.string(),
    })
    .describe("the journal cannot write: events are kept in memory (bounded) and still published"),
  "journal.writable": z
    .object({
      path: z.string(),
      unwritableMs: z.number().int().min(0).describe("how long the journal could not write"),
    })
    .describe("the journal writes again; events held in memory have been committed"),
  "journal.corrupt": z
    .object({
      movedTo: z.string().describe("where the damaged file was moved; it is never deleted"),
      detail: z.string(),
      resumedAfterSeq: z
        .number()
        .int()
        .min(0)
        .describe("seq read from the damaged file; numbering goes on after it (0 when unreadable)"),
    })
    .describe("the journal failed its integrity check at start and was set aside"),
} as const;
