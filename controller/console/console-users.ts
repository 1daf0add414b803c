import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { StationError } from "../../config/errors.ts";

/**
 * Who may log in to the console: `<dataDir>/console-users.json`, mode 0600, written by
 * `waystation provision` (the demo writes a fresh one with a one-time password at every start).
 * Passwords are stored as argon2id hashes only. There is no built-in account: a station that was
 * never provisioned has no console user, and a real one then keeps its console off.
 */
export const ConsoleRoleSchema = z.enum(["technician", "viewer"]);
export type ConsoleRole = z.output<typeof ConsoleRoleSchema>;

export const ConsoleUserSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, "lower-case letters, digits, . _ -; at most 32"),
    role: ConsoleRoleSchema,
    hash: z.string().startsWith("$argon2id$"),
    createdAt: z.string(),
  })
  .strict();
export type ConsoleUser = z.output<typeof ConsoleUserSchema>;

export const ConsoleUsersSchema = z
  .object({ version: z.literal(1), users: z.array(ConsoleUserSchema) })
  .strict();
export type ConsoleUsers = z.output<typeof ConsoleUsersSchema>;

export function consoleUsersFile(dataDir: string): string {
  return join(dataDir, "console-users.json");
}

/** undefined when the file does not exist (not provisioned); a typed error when it is unusable. */
export function loadConsoleUsers(file: string): ConsoleUsers | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StationError("CONSOLE_USERS_INVALID", "console", `cannot read ${file}`, {
      cause: err,
      hint: "the station's service user must own it (mode 0600)",
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const parsed = ConsoleUsersSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StationError("CONSOLE_USERS_INVALID", "console", `${file} is not a console users file`, {
      hint: "write it again: waystation provision --config FILE --user NAME",
    });
  }
  return parsed.data;
}

export function saveConsoleUsers(file: string, users: ConsoleUsers): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export const MIN_PASSWORD = 10;

export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD) {
    throw new StationError(
      "CONSOLE_PASSWORD_WEAK",
      "console",
      `a console password needs at least ${MIN_PASSWORD} characters`,
      { hint: "leave the password out and provision prints a generated one" },
    );
  }
  // argon2id with the library's defaults (19 MiB, t=2): ~50 ms here, a few hundred on a Pi.
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the name is unknown, so a wrong name takes as long as a wrong password. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hash(randomBytes(16).toString("hex"));
  return decoy;
}

/** Easy to read aloud and type on a phone: no 0/O, 1/l/I. 16 characters ≈ 80 bits. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
export function generatePassword(): string {
  const bytes = randomBytes(16);
  let out = "";
  for (let i = 0; i < 16; i++) {
    out += ALPHABET[(bytes[i] ?? 0) % ALPHABET.length];
    if (i % 4 === 3 && i < 15) out += "-";
  }
  return out;
}

/** Add or replace one user (by name). */
export async function withUser(
  users: ConsoleUsers | undefined,
  name: string,
  role: ConsoleRole,
  password: string,
  now: Date,
): Promise<ConsoleUsers> {
  const user = ConsoleUserSchema.parse({
    name,
    role,
    hash: await hashPassword(password),
    createdAt: now.toISOString(),
  });
  const others = (users?.users ?? []).filter((u) => u.name !== name);
  return { version: 1, users: [...others, user] };
}
