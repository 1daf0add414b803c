import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../../config/load.ts";
import { loadSecretsFile } from "../../config/secrets.ts";
import type { CredentialRecord, Role } from "../../controller/access/credential-store.ts";
import { SqliteCredentialStore } from "../../controller/access/sqlite-credential-store.ts";
import {
  createIdentifierHasher,
  type IdentifierHasher,
  parseHexIdentifier,
} from "../../device/identity/hasher.ts";
import type { CredentialKind } from "../../device/ports/card-reader.ts";
import { type Command, usageError } from "./usage.ts";

export const CREDENTIALS_USAGE = `credentials hash UID --secrets FILE [--kind card-uid|resident-id]
  credentials add UID --config FILE --person ID [--role worker|technician|admin] [--valid-from ISO]
                  [--valid-until ISO] [--schedule NAME] [--face] [--kind card-uid|resident-id]
  credentials block|lost|unblock|remove UID --config FILE
  credentials forget PERSON --config FILE
  credentials import FILE.csv --config FILE   (uid,personId,role,validFrom,validUntil,schedule,face)
  credentials count --config FILE`;

const ROLES: readonly Role[] = ["worker", "technician", "admin"];

function kindOf(v: string | undefined): CredentialKind {
  if (v === undefined || v === "card-uid") return "card-uid";
  if (v === "resident-id") return "resident-id";
  throw usageError(`--kind is card-uid or resident-id, not "${v}"`);
}

function hashOf(hasher: IdentifierHasher, kind: CredentialKind, uid: string): string {
  const raw = parseHexIdentifier(uid);
  if (!raw) throw usageError("a card identifier is hex, e.g. 04A1B2C3");
  return hasher(kind, raw);
}

function time(v: string | undefined, what: string): number | undefined {
  if (v === undefined || v === "") return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw usageError(`${what} is not a date/time: "${v}" (use ISO 8601, e.g. 2026-12-31T23:59:59+08:00)`);
  return t;
}

function role(v: string | undefined): Role {
  const r = (v ?? "worker") as Role;
  if (!ROLES.includes(r)) throw usageError(`role is one of ${ROLES.join(", ")}, not "${v}"`);
  return r;
}

/** Parse an import file; every bad line is reported, and nothing is imported unless all are good. */
export function parseCsv(text: string, hasher: IdentifierHasher, kind: CredentialKind): CredentialRecord[] {
  const out: CredentialRecord[] = [];
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#") || (i === 0 && /^uid\s*,/i.test(line))) return;
    const [uid = "", personId = "", r, from, until, schedule, face] = line.split(",").map((c) => c.trim());
    try {
      if (!personId) throw usageError("personId is empty");
      out.push({
        credential: hashOf(hasher, kind, uid),
        personId,
        role: role(r || undefined),
        status: "active",
        validFrom: time(from, "validFrom"),
        validUntil: time(until, "validUntil"),
        schedule: schedule || undefined,
        secondFactor: face === "1" || face === "true" || face === "yes",
      });
    } catch (err) {
      errors.push(`  line ${i + 1}: ${(err as Error).message}`);
    }
  });
  if (errors.length > 0)
    throw usageError(`${errors.length} bad line(s); nothing imported:\n${errors.join("\n")}`);
  return out;
}

export const credentials: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      secrets: { type: "string" },
      config: { type: "string" },
      kind: { type: "string" },
      person: { type: "string" },
      role: { type: "string" },
      "valid-from": { type: "string" },
      "valid-until": { type: "string" },
      schedule: { type: "string" },
      face: { type: "boolean", default: false },
    },
  });
  const [sub, arg] = positionals;
  const kind = kindOf(values.kind);
  if (sub === "hash") {
    if (!arg || !values.secrets) throw usageError("credentials hash UID --secrets FILE");
    process.stdout.write(
      `${hashOf(createIdentifierHasher(loadSecretsFile(values.secrets).credentialKey), kind, arg)}\n`,
    );
    return 0;
  }
  if (!sub || !values.config) throw usageError(CREDENTIALS_USAGE);
  const config = loadConfigFile(values.config);
  const hasher = createIdentifierHasher(loadSecretsFile(config.secretsFile).credentialKey);
  const store = new SqliteCredentialStore(join(config.dataDir, "credentials.db"));
  store.open();
  try {
    const say = (s: string) => process.stdout.write(`${s}\n`);
    switch (sub) {
      case "count":
        say(String(store.size));
        return 0;
      case "add": {
        if (!arg || !values.person) throw usageError("credentials add UID --config FILE --person ID");
        store.upsert([
          {
            credential: hashOf(hasher, kind, arg),
            personId: values.person,
            role: role(values.role),
            status: "active",
            validFrom: time(values["valid-from"], "--valid-from"),
            validUntil: time(values["valid-until"], "--valid-until"),
            schedule: values.schedule,
            secondFactor: values.face ?? false,
          },
        ]);
        say(`enrolled ${values.person}; ${store.size} credentials`);
        return 0;
      }
      case "block":
      case "lost":
      case "unblock": {
        if (!arg) throw usageError(`credentials ${sub} UID --config FILE`);
        const status = sub === "block" ? "blocked" : sub === "lost" ? "lost" : "active";
        const ok = store.setStatus(hashOf(hasher, kind, arg), status);
        say(ok ? `now ${status}` : "no such credential");
        return ok ? 0 : 1;
      }
      case "remove": {
        if (!arg) throw usageError("credentials remove UID --config FILE");
        const ok = store.remove(hashOf(hasher, kind, arg));
        say(ok ? "removed" : "no such credential");
        return ok ? 0 : 1;
      }
      case "forget": {
        if (!arg) throw usageError("credentials forget PERSON --config FILE");
        say(`removed ${store.removePerson(arg)} credential(s) of ${arg}`);
        return 0;
      }
      case "import": {
        if (!arg) throw usageError("credentials import FILE.csv --config FILE");
        const n = store.upsert(parseCsv(readFileSync(arg, "utf8"), hasher, kind));
        say(`imported ${n}; ${store.size} credentials`);
        return 0;
      }
      default:
        throw usageError(CREDENTIALS_USAGE);
    }
  } finally {
    store.close();
  }
};
