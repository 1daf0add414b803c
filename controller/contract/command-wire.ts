import { z } from "zod";

/**
 * What travels on `cmd/<name>` (and, later, on `credentials`): the envelope's exact UTF-8 JSON
 * bytes in base64url, the Ed25519 signature over exactly those bytes, and the signing key's id.
 * Signing raw bytes spares every central server a JSON canonicalisation: it signs the bytes it
 * serialised, and the station parses the bytes it verified. docs/central-integration.md is the
 * specification.
 */
const base64url = z.string().regex(/^[A-Za-z0-9_-]*={0,2}$/, "base64url (RFC 4648 §5)");

export const SignedMessageSchema = z
  .object({
    kid: z.string().min(1).max(64),
    envelope: base64url.describe("base64url of the envelope's exact UTF-8 JSON bytes"),
    sig: base64url.describe("base64url of the 64-byte Ed25519 signature over those bytes"),
  })
  .strict();

/** A command id becomes a topic level (`reply/<id>`): nothing that could widen or split a topic. */
export const COMMAND_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const isoTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/,
    "ISO 8601 with a zone, e.g. 2026-12-01T22:30:00Z",
  )
  .refine((s) => Number.isFinite(Date.parse(s)), "a real date and time");

/** The fields every signed envelope carries to bind it to one station and one moment. */
export const WindowFields = {
  id: z.string().regex(COMMAND_ID, "letters, digits, '.', '_', ':' and '-', at most 128"),
  station: z.string().min(1).max(64),
  issuedAt: isoTime,
  expiresAt: isoTime,
  nonce: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,128}$/, "16 to 128 base64url characters (at least 96 random bits)"),
};

export const CommandEnvelopeSchema = z
  .object({
    kind: z.literal("command"),
    ...WindowFields,
    name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, "a command name such as unlock"),
    args: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type CommandEnvelope = z.output<typeof CommandEnvelopeSchema>;

/** The station's answer on `reply/<id>` and on the MQTT 5 response topic. */
export const CommandReplySchema = z.object({
  id: z.string().nullable().describe("the command's id; null when none could be read"),
  status: z.enum(["ok", "error"]),
  code: z.string().describe("OK, a rejection code, or the command's own error code"),
  data: z.unknown().optional().describe("the command's result; `detail` explains an error"),
});

const credentialHash = z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits (the keyed hash)");

/** One entry of a credential list: a keyed hash (never a card number) and its terms. */
export const ListEntrySchema = z
  .object({
    credential: credentialHash,
    personId: z.string().min(1).max(128),
    role: z.enum(["worker", "technician", "admin"]).default("worker"),
    status: z.enum(["active", "blocked", "lost"]).default("active"),
    validFrom: z.number().int().min(0).optional().describe("epoch milliseconds"),
    validUntil: z.number().int().min(0).optional().describe("epoch milliseconds"),
    schedule: z.string().min(1).max(64).optional().describe("a weekly schedule of access.schedules"),
    secondFactor: z.boolean().default(false),
  })
  .strict();
export type ListEntry = z.output<typeof ListEntrySchema>;

/** A signed credential list, or one chunk of it, on `credentials` (docs/central-integration.md). */
export const CredentialListEnvelopeSchema = z
  .object({
    kind: z.literal("credentials"),
    ...WindowFields,
    listVersion: z.number().int().min(1),
    type: z.enum(["full", "delta"]),
    keyFingerprint: z
      .string()
      .regex(/^[0-9a-f]{16}$/, "a credential key fingerprint: 16 hex digits")
      .describe(
        "the fingerprint of the credential key the entries are hashed under (the same in every chunk); a key the station does not hold is LIST_KEY_UNKNOWN",
      ),
    baseVersion: z.number().int().min(0).optional().describe("delta only: the version it applies on"),
    listHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe("order-independent hash of the whole list once applied (the station verifies it)"),
    chunk: z
      .object({ index: z.number().int().min(0), count: z.number().int().min(1).max(100_000) })
      .strict()
      .refine((c) => c.index < c.count, "index < count")
      .default({ index: 0, count: 1 }),
    entries: z.array(ListEntrySchema).default([]).describe("full: the entries; delta: added or changed"),
    remove: z.array(credentialHash).default([]).describe("delta only: credentials to remove"),
  })
  .strict()
  .refine((e) => e.type === "delta" || (e.baseVersion === undefined && e.remove.length === 0), {
    message: "baseVersion and remove belong to delta lists",
  })
  .refine((e) => e.type === "full" || e.baseVersion !== undefined, {
    message: "a delta names its baseVersion",
    path: ["baseVersion"],
  });
export type CredentialListEnvelope = z.output<typeof CredentialListEnvelopeSchema>;
