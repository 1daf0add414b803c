import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseDocument } from "yaml";
import { StationError } from "../../config/errors.ts";
import { formatIssues, loadConfigFile, parseConfigText } from "../../config/load.ts";
import { ensurePrivateDir } from "../../config/private-files.ts";
import { createSecretsFile, loadSecretsFile, SecretsSchema } from "../../config/secrets.ts";
import {
  type ConsoleRole,
  ConsoleRoleSchema,
  consoleUsersFile,
  generatePassword,
  loadConsoleUsers,
  saveConsoleUsers,
  withUser,
} from "../../controller/console/console-users.ts";
import { credentialKeyFingerprint } from "../../device/identity/hasher.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { stationFileFor } from "../control-client.ts";
import { effectText, provisionEffect } from "./provision-effect.ts";
import { usageError } from "./usage.ts";

export const PROVISION_USAGE = `provision --config FILE [--station-id ID] [--user NAME] [--role technician|viewer]
          [--password-stdin] [--credential-key-file FILE] [--replace] [--restart] [--json]`;

export interface ProvisionOptions {
  configFile: string;
  stationId?: string | undefined;
  user: string;
  role: ConsoleRole;
  /** undefined: a password is generated and shown once */
  password?: string | undefined;
  /** the fleet's credential key (64 hex digits) for a new secrets file */
  credentialKey?: string | undefined;
  /** replace a console user of the same name (a new password) */
  replace: boolean;
  now: Date;
}

export interface ProvisionResult {
  stationId: string;
  secretsFile: string;
  secretsCreated: boolean;
  keyFingerprint: string;
  usersFile: string;
  user: string;
  role: ConsoleRole;
  /** only when it was generated: shown once, stored nowhere but as a hash */
  generatedPassword?: string;
  /** the console was enabled but off at start for want of a technician (real hardware) */
  consoleWasOff: boolean;
}

/** Set `station.id` in the station file, keeping its comments and layout. */
function setStationId(file: string, id: string): void {
  const text = readFileSync(file, "utf8");
  const doc = parseDocument(text);
  doc.setIn(["station", "id"], id);
  const next = doc.toString();
  const check = parseConfigText(next, dirname(resolve(file)));
  if (!check.ok) {
    throw new StationError("CONFIG_INVALID", "config", formatIssues(file, check.issues), {
      issues: check.issues,
    });
  }
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, next, { mode: statSync(file).mode & 0o777 });
  renameSync(tmp, file);
}

/**
 * Commissioning's first step: the station's id, its keys (a secrets file, 0600, never
 * overwritten), and the console's technician. There is no default password anywhere: either the
 * technician types one (stdin) or one is generated here and shown once.
 */
export async function provisionStation(o: ProvisionOptions): Promise<ProvisionResult> {
  if (o.stationId !== undefined) setStationId(o.configFile, o.stationId);
  const config = loadConfigFile(o.configFile);
  if (
    o.credentialKey !== undefined &&
    !SecretsSchema.shape.credentialKey.safeParse(o.credentialKey).success
  ) {
    throw new StationError(
      "SECRETS_INVALID",
      "secrets",
      "the credential key file must hold 64 lower-case hex digits",
    );
  }
  const secretsCreated = !existsSync(config.secretsFile);
  let secrets = secretsCreated ? createSecretsFile(config.secretsFile) : loadSecretsFile(config.secretsFile);
  if (secretsCreated && o.credentialKey !== undefined) {
    secrets = { ...secrets, credentialKey: o.credentialKey };
    writeFileSync(config.secretsFile, (await import("yaml")).stringify(secrets), { mode: 0o600 });
  } else if (!secretsCreated && o.credentialKey !== undefined && o.credentialKey !== secrets.credentialKey) {
    throw new StationError(
      "CREDENTIAL_KEY_MISMATCH",
      "secrets",
      `${config.secretsFile} already holds another credential key; it was left as it is`,
      { hint: "every card enrolled here hashes with the key it has; move the file away only to start over" },
    );
  }
  ensurePrivateDir(config.dataDir);
  const usersFile = consoleUsersFile(config.dataDir);
  const users = loadConsoleUsers(usersFile);
  const consoleWasOff =
    config.console.enabled &&
    config.hardware.mode === "real" &&
    !(users?.users.some((u) => u.role === "technician") ?? false);
  if (users?.users.some((u) => u.name === o.user) && !o.replace) {
    throw new StationError("CONSOLE_USER_EXISTS", "cli", `the console user "${o.user}" exists already`, {
      hint: "pass --replace to give it a new password",
    });
  }
  const password = o.password ?? generatePassword();
  saveConsoleUsers(usersFile, await withUser(users, o.user, o.role, password, o.now));
  return {
    stationId: config.station.id,
    secretsFile: config.secretsFile,
    secretsCreated,
    keyFingerprint: credentialKeyFingerprint(secrets.credentialKey),
    usersFile,
    user: o.user,
    role: o.role,
    ...(o.password === undefined ? { generatedPassword: password } : {}),
    consoleWasOff,
  };
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const c of process.stdin) text += String(c);
  return text.replace(/\r?\n$/, "");
}

export interface ProvisionCliOptions {
  config?: string;
  stationId?: string;
  user: string;
  role: string;
  passwordStdin?: boolean;
  credentialKeyFile?: string;
  replace?: boolean;
  restart?: boolean;
  json?: boolean;
}

/** `waystation provision`: see PROVISION_USAGE; exit 0 done, 1 refused, 2 a mistake in the words. */
export async function provision(opts: ProvisionCliOptions): Promise<number> {
  const role = ConsoleRoleSchema.safeParse(opts.role);
  if (!role.success) throw usageError(`--role is technician or viewer; ${PROVISION_USAGE}`);
  // never the demo's file by mistake: the installed command sets $WAYSTATION_CONFIG
  if (!opts.config && !process.env.WAYSTATION_CONFIG)
    throw usageError(
      `provision needs the station file it provisions: --config FILE (or $WAYSTATION_CONFIG; it never takes the demo's)\n  ${PROVISION_USAGE}`,
    );
  const configFile = stationFileFor(opts.config);
  const r = await provisionStation({
    configFile,
    stationId: opts.stationId,
    user: opts.user.toLowerCase(),
    role: role.data,
    password: opts.passwordStdin ? await readStdin() : undefined,
    credentialKey: opts.credentialKeyFile ? readFileSync(opts.credentialKeyFile, "utf8").trim() : undefined,
    replace: opts.replace ?? false,
    now: new Date(),
  });
  const effect = await provisionEffect(loadConfigFile(configFile), r, opts.restart ?? false);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...r, ...effect })}\n`);
    return EXIT.ok;
  }
  const lines = [
    `station     ${r.stationId}`,
    `secrets     ${r.secretsFile} (${r.secretsCreated ? "created, mode 0600" : "kept as it was"})`,
    `key         fingerprint ${r.keyFingerprint} (compare with the fleet's)`,
    `console     ${r.user} (${r.role}) in ${r.usersFile}`,
    ...(r.generatedPassword
      ? [
          `password    ${r.generatedPassword}`,
          "            shown this once and stored only as an argon2 hash: write it down now",
        ]
      : []),
    `takes effect ${effectText(effect)}`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
  return EXIT.ok;
}
