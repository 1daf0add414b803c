import { z } from "zod";

const listType = z.enum(["full", "delta"]);

/** The central credential list's audit trail. */
export const credentialListEvents = {
  "credentials.list-applied": z
    .object({
      listVersion: z.number().int(),
      listType: listType.describe("`type` is the event's own field"),
      listHash: z
        .string()
        .describe("order-independent hash of the active list (docs/central-integration.md)"),
      listCount: z.number().int().min(0),
      applied: z.number().int().min(0).describe("entries written or removed"),
      durationMs: z.number().int().min(0),
      principal: z.string(),
    })
    .describe("a complete, verified credential list was applied in one transaction"),
  "credentials.list-rejected": z
    .object({
      commandId: z.string().optional(),
      listVersion: z.number().int().optional(),
      listType: listType.optional(),
      code: z
        .string()
        .describe("LIST_GAP (send a full list), LIST_STALE, LIST_INCOMPLETE, LIST_HASH_MISMATCH, ..."),
      detail: z.string(),
    })
    .describe("a credential list (or chunk) was refused; the active list did not change"),
} as const;

/** `state.credentialList`: what the centre compares against its own list to see drift. */
export const CredentialListStateSchema = z.object({
  listVersion: z.number().int().min(0).describe("0: no central list applied yet"),
  listHash: z.string(),
  listCount: z.number().int().min(0),
  pending: z
    .object({
      listVersion: z.number().int(),
      type: listType,
      received: z.number().int(),
      count: z.number().int(),
    })
    .optional()
    .describe("a chunked list being received"),
  applying: z.boolean(),
});
