import { createPublicKey } from "node:crypto";
import { z } from "zod";

/** A key id: it travels in every signed message, so it stays short and plain. */
const kid = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, '.', '_' and '-', at most 64")
  .describe("the key's id; a signed message names the key that signed it with `kid`");

/** True when `text` is an Ed25519 public key as PEM (SPKI) or as the one-line base64 of the SPKI DER. */
export function parseEd25519PublicKey(text: string): ReturnType<typeof createPublicKey> | undefined {
  try {
    const key = text.includes("-----BEGIN")
      ? createPublicKey({ key: text, format: "pem" })
      : createPublicKey({ key: Buffer.from(text.trim(), "base64"), format: "der", type: "spki" });
    return key.asymmetricKeyType === "ed25519" ? key : undefined;
  } catch {
    return undefined;
  }
}

const pinnedKey = z
  .object({
    kid,
    publicKey: z
      .string()
      .refine((t) => parseEd25519PublicKey(t) !== undefined, {
        message:
          "an Ed25519 public key: the PEM from `waystation central keygen` or `openssl pkey -pubout`, or its one-line base64",
      })
      .describe("the central server's Ed25519 public key (PEM, or the base64 of the SPKI DER on one line)"),
    retired: z
      .boolean()
      .default(false)
      .describe("a retired key verifies nothing any more; its messages are rejected as RETIRED_KEY"),
  })
  .strict();

/**
 * Remote management from the central server: `remote` in the station file. Without it the
 * station takes no commands, desired config or credential lists from MQTT at all.
 */
export const remoteSchema = z
  .object({
    keys: z
      .array(pinnedKey)
      .min(2, "pin at least two keys, so the central server can rotate one without a site visit")
      .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, "every kid must be unique")
      .refine((keys) => keys.some((k) => !k.retired), "at least one key must not be retired")
      .describe("the central server's signing keys, pinned; the station trusts nothing else"),
    skewS: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(60)
      .describe("clock skew allowed between the central server and the station, each way (seconds)"),
    maxLifetimeS: z
      .number()
      .int()
      .min(1)
      .max(86_400)
      .default(900)
      .describe("a command valid for longer than this (expiresAt - issuedAt) is rejected"),
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024)
      .describe("a command larger than this is rejected unread (TOO_LARGE)"),
  })
  .strict()
  .optional()
  .describe("signed commands from the central server; absent: the station takes no remote commands");

export type RemoteConfig = NonNullable<z.output<typeof remoteSchema>>;
