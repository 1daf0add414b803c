import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { StationError } from "./errors.ts";

/** Secrets live apart from the config file, mode 0600, and never reach a log. */
export const SecretsSchema = z
  .object({
    credentialKey: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits (32 random bytes)")
      .describe("the fleet credential key: HMAC-SHA256 key that turns card numbers into identifiers"),
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
  const secrets: Secrets = { credentialKey: randomBytes(32).toString("hex") };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, stringify(secrets), { mode: 0o600, flag: "wx" });
  return secrets;
}
