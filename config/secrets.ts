import { generateKeyPairSync, randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse, parseDocument, stringify } from "yaml";
import { z } from "zod";
import { StationError } from "./errors.ts";

/** Secrets live apart from the config file, mode 0600, and never reach a log. */
export const SecretsSchema = z
  .object({
    credentialKey: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits (32 random bytes)")
      .describe("the fleet credential key: HMAC-SHA256 key that turns card numbers into identifiers"),
    faceTemplateKey: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits (32 random bytes)")
      .optional()
      .describe("this station's own AES-256-GCM key for face templates at rest; never leaves the station"),
    stationKey: z
      .string()
      .regex(/^[A-Za-z0-9+/]{64}$/, "an X25519 private key, PKCS#8 DER in base64 (48 bytes)")
      .optional()
      .describe(
        "this station's own X25519 key: the centre seals a next credential key to it (credential-key-rotate); never leaves the station",
      ),
    faceTerminalSecret: z
      .string()
      .min(32)
      .optional()
      .describe(
        "shared secret of the external face terminals' webhook (HMAC-SHA256); at least 32 characters",
      ),
    mqtt: z
      .object({ username: z.string().min(1), password: z.string().min(1) })
      .strict()
      .optional()
      .describe("broker credentials"),
  })
  .strict();

export type Secrets = z.output<typeof SecretsSchema>;

export function loadSecretsFile(file: string, opts: { checkMode?: boolean } = {}): Secrets {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new StationError("SECRETS_UNREADABLE", "secrets", `cannot read secrets file ${file}`, {
      cause,
      hint: "provisioning creates it: waystation secrets init <file>",
    });
  }
  if (opts.checkMode !== false && process.platform !== "win32") {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new StationError(
        "SECRETS_PERMISSIONS",
        "secrets",
        `secrets file ${file} is readable by others (mode ${mode.toString(8)})`,
        { hint: `chmod 600 ${file}` },
      );
    }
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    throw new StationError("SECRETS_INVALID", "secrets", `secrets file ${file} is not valid YAML`, { cause });
  }
  const parsed = SecretsSchema.safeParse(raw);
  if (!parsed.success) {
    // Never echo values: only the paths of what is wrong.
    const paths = parsed.error.issues.map((i) => i.path.join(".") || "(top level)").join(", ");
    throw new StationError("SECRETS_INVALID", "secrets", `secrets file ${file} is invalid at: ${paths}`, {
      hint: "credentialKey must be 64 lower-case hex digits",
    });
  }
  return parsed.data;
}

/** Create a secrets file with a fresh random credential key (mode 0600). Used by provisioning and the demo. */
export function createSecretsFile(file: string): Secrets {
  const secrets: Secrets = {
    credentialKey: randomBytes(32).toString("hex"),
    faceTemplateKey: randomBytes(32).toString("hex"),
    stationKey: newStationKeyDer(),
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, stringify(secrets), { mode: 0o600, flag: "wx" });
  return secrets;
}

/** A new X25519 station key, PKCS#8 DER in base64. */
export function newStationKeyDer(): string {
  return generateKeyPairSync("x25519").privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
}

/**
 * The end of a credential key rotation: the secrets file's `credentialKey` replaced, every other
 * line kept (updateSecretsFile).
 */
export function replaceCredentialKey(file: string, keyHex: string): void {
  updateSecretsFile(file, (doc) => {
    doc.set("credentialKey", keyHex);
  });
}

/**
 * A secrets file from before `stationKey` existed gets one, so a credential key rotation needs
 * no site visit. Returns the key now in the file: the one already there (another start added it
 * first), the one added, or undefined when the file cannot be written (the caller says so; the
 * rotation then answers STATION_KEY_MISSING with the fix).
 */
export function ensureStationKey(file: string, secrets: Secrets): string | undefined {
  if (secrets.stationKey) return secrets.stationKey;
  try {
    updateSecretsFile(file, (doc) => {
      if (!doc.has("stationKey")) doc.set("stationKey", newStationKeyDer());
    });
    return loadSecretsFile(file).stationKey;
  } catch {
    return undefined;
  }
}

/**
 * Change the secrets file, keeping its comments and every other line: written to a private temp
 * file of this process's own, fsync'd, renamed over, the directory fsync'd. A power cut leaves
 * the old file or the new one, never half of one; the file is re-read inside, so a change made
 * by another process in between is kept rather than overwritten with a stale copy.
 */
function updateSecretsFile(file: string, change: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(readFileSync(file, "utf8"));
  change(doc);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeFileSync(fd, doc.toString());
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(dirname(file), "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
