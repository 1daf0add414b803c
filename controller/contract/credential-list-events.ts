import { z } from "zod";

const listType = z.enum(["full", "delta"]);
const fingerprint = z.string().describe("a credential key fingerprint (16 hex digits), never the key");

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
      keyFingerprint: fingerprint.describe("the credential key the list is hashed under"),
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
        .describe(
          "LIST_GAP (send a full list), LIST_STALE, LIST_INCOMPLETE, LIST_HASH_MISMATCH, LIST_KEY_UNKNOWN (hashed under a key the station does not hold), LIST_KEY_MISMATCH (a delta under another key than its list: send a full list), ...",
        ),
      detail: z.string(),
    })
    .describe("a credential list (or chunk) was refused; the active list did not change"),
  "credentials.key-rotation": z
    .object({
      phase: z
        .enum(["begun", "completed", "rolled-back"])
        .describe(
          "begun: both keys accepted from now; completed: the new key is the only one; rolled-back: the new key was dropped",
        ),
      old: fingerprint.describe("the key that was current when the phase began"),
      new: fingerprint.describe("the next key (completed: now current; rolled-back: dropped)"),
      listKeyFingerprint: fingerprint
        .nullable()
        .describe("the key the active central list is hashed under (null: no central list)"),
      forced: z
        .boolean()
        .describe("the station dropped the key its central list is hashed under (force: true)"),
      principal: z
        .string()
        .describe(
          "who sent the command; a completion a stop cut short, finished at the next start, keeps its complete's (station:recovery when that was not kept)",
        ),
    })
    .describe(
      "a credential key rotation changed phase (credential-key-rotate; a completed cut short by a stop is sent at the next start)",
    ),
} as const;

/** `state.credentialList`: what the centre compares against its own list to see drift. */
export const CredentialListStateSchema = z.object({
  listVersion: z.number().int().min(0).describe("0: no central list applied yet"),
  listHash: z.string(),
  listCount: z.number().int().min(0),
  keyFingerprint: z
    .string()
    .nullable()
    .describe("the credential key the active list is hashed under (null: no central list)"),
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
