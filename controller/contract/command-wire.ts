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
