import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfigFile } from "../../config/load.ts";
import { loadSecretsFile } from "../../config/secrets.ts";
import type { CredentialRecord, Role } from "../../controller/access/credential-store.ts";
import { SqliteCredentialStore } from "../../controller/access/sqlite-credential-store.ts";
import {
  createIdentifierHasher,
  credentialKeyFingerprint,
  type IdentifierHasher,
  parseHexIdentifier,
} from "../../device/identity/hasher.ts";
import type { CredentialKind } from "../../device/ports/card-reader.ts";
import { BUILTIN_LAYOUTS, identifierBytes } from "../../device/wiegand/formats.ts";
import { type Command, usageError } from "./usage.ts";

export const CREDENTIALS_USAGE = `credentials hash ID --secrets FILE [--kind card-uid|resident-id|wiegand|keypad] [--format wiegand-26]
                  ID: a card UID (hex), an ID card serial (16 hex), a Wiegand card (FACILITY:CARD), a PIN;
                  "-" reads it from stdin, --id-file FILE from a file: either keeps it out of ps and shell history
  credentials add ID --config FILE --person ID [--role worker|technician|admin] [--valid-from ISO]
                  [--valid-until ISO] [--schedule NAME] [--second-factor] [--kind ...] [--format ...]
                  --second-factor (or --face): the card also needs the person's face or PIN
  credentials block|lost|unblock|remove UID --config FILE
  credentials forget PERSON --config FILE
  credentials import FILE.csv --config FILE   (uid,personId,role,validFrom,validUntil,schedule,face)
  credentials count --config FILE`;

const ROLES: readonly Role[] = ["worker", "technician", "admin"];

function kindOf(v: string | undefined): CredentialKind {
  if (v === undefined) return "card-uid";
  if (v === "card-uid" || v === "resident-id" || v === "wiegand" || v === "keypad") return v;
  throw usageError(`--kind is card-uid, resident-id, wiegand or keypad, not "${v}"`);
}

/** The identifier's bytes as its reader's driver hashes them, from what is printed on the card. */
function rawIdentifier(kind: CredentialKind, id: string, format: string): Uint8Array {
  if (kind === "keypad") {
    if (!/^[0-9]{4,12}$/.test(id)) throw usageError("a PIN is 4-12 digits");
    return new TextEncoder().encode(id);
  }
  if (kind === "wiegand") {
    const layout = BUILTIN_LAYOUTS[format];
    if (!layout) throw usageError(`--format is one of ${Object.keys(BUILTIN_LAYOUTS).join(", ")}`);
    const m = /^(?:(\d+):)?(\d+)$/.exec(id);
    if (!m)
      throw usageError('a Wiegand card is "FACILITY:CARD" (or "CARD" for formats without a facility code)');
    const facility = m[1] === undefined ? undefined : Number(m[1]);
    const card = Number(m[2]);
    const fits = (v: number, bits: number) => Number.isSafeInteger(v) && v < 2 ** bits;
    if (
      !fits(card, layout.card.length) ||
      (facility !== undefined && !fits(facility, layout.facility?.length ?? 0))
    ) {
      throw usageError(`the card number does not fit ${layout.name}`);
    }
    return identifierBytes(layout, facility, card);
  }
  const raw = parseHexIdentifier(id);
  // Never echo the identifier: an error message ends up in a terminal's scrollback and in logs.
  if (!raw) throw usageError("the identifier is not hex, e.g. 04A1B2C3");
  if (kind === "resident-id" && raw.length !== 8)
    throw usageError("a resident ID card serial is 8 bytes (16 hex)");
  return raw;
}

type HashOf = (id: string) => string;

/** Sub-commands whose argument is a card number, ID serial or PIN. */
const IDENTIFIED = new Set(["hash", "add", "block", "lost", "unblock", "remove"]);

/** The identifier from the command line, stdin ("-") or the first line of a file. */
async function identifierFrom(
  arg: string | undefined,
  file: string | undefined,
): Promise<string | undefined> {
  let text: string | undefined;
  if (file !== undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch {
      throw usageError(`cannot read --id-file ${file}`);
    }
  } else if (arg === "-") {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    text = Buffer.concat(chunks).toString("utf8");
  } else {
    return arg;
  }
  const first = text.split(/\r?\n/)[0]?.trim() ?? "";
  if (first === "") throw usageError(file === undefined ? "nothing on stdin" : `--id-file ${file} is empty`);
  return first;
}

/** A PIN the station would refuse at the keypad is refused at enrolment, with the setting that decides. */
function checkPinPolicy(pin: string, pins: { minLength: number; allowPinOnly: boolean }): string | undefined {
  if (pin.length < pins.minLength)
    throw usageError(`a PIN needs at least ${pins.minLength} digits (access.pins.minLength)`);
  return pins.allowPinOnly
    ? undefined
    : "this PIN is a second factor only (access.pins.allowPinOnly is off): enrol the person's card with --second-factor";
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
export function parseCsv(text: string, hashOf: HashOf): CredentialRecord[] {
  const out: CredentialRecord[] = [];
  const errors: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "" || line.startsWith("#") || (i === 0 && /^uid\s*,/i.test(line))) return;
    const [uid = "", personId = "", r, from, until, schedule, face] = line.split(",").map((c) => c.trim());
    try {
      if (!personId) throw usageError("personId is empty");
      out.push({
        credential: hashOf(uid),
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
      "second-factor": { type: "boolean", default: false },
      format: { type: "string", default: "wiegand-26" },
      "id-file": { type: "string" },
    },
  });
  const [sub, given] = positionals;
  const arg = IDENTIFIED.has(sub ?? "") ? await identifierFrom(given, values["id-file"]) : given;
  const kind = kindOf(values.kind);
  const format = values.format ?? "wiegand-26";
  const hashWith =
    (hasher: IdentifierHasher): HashOf =>
    (id) =>
      hasher(kind, rawIdentifier(kind, id, format));
  if (sub === "hash") {
    if (!arg || !values.secrets) throw usageError("credentials hash UID --secrets FILE");
    process.stdout.write(
      `${hashWith(createIdentifierHasher(loadSecretsFile(values.secrets).credentialKey))(arg)}\n`,
    );
    return 0;
  }
  if (!sub || !values.config) throw usageError(CREDENTIALS_USAGE);
  const config = loadConfigFile(values.config);
  const key = loadSecretsFile(config.secretsFile).credentialKey;
  const hashOf = hashWith(createIdentifierHasher(key));
  const store = new SqliteCredentialStore(join(config.dataDir, "credentials.db"));
  store.open();
  try {
    // Enrolling under another key than the store's would mix hashes no reader can match.
    store.checkKeyFingerprint(credentialKeyFingerprint(key));
    const say = (s: string) => process.stdout.write(`${s}\n`);
    switch (sub) {
      case "count":
        say(String(store.size));
        return 0;
      case "add": {
        if (!arg || !values.person) throw usageError("credentials add UID --config FILE --person ID");
        const note = kind === "keypad" ? checkPinPolicy(arg, config.access.pins) : undefined;
        store.upsert([
          {
            credential: hashOf(arg),
            personId: values.person,
            role: role(values.role),
            status: "active",
            validFrom: time(values["valid-from"], "--valid-from"),
            validUntil: time(values["valid-until"], "--valid-until"),
            schedule: values.schedule,
            secondFactor: values.face === true || values["second-factor"] === true,
          },
        ]);
        say(`enrolled ${values.person}; ${store.size} credentials`);
        if (note) say(note);
        return 0;
      }
      case "block":
      case "lost":
      case "unblock": {
        if (!arg) throw usageError(`credentials ${sub} UID --config FILE`);
        const status = sub === "block" ? "blocked" : sub === "lost" ? "lost" : "active";
        const ok = store.setStatus(hashOf(arg), status);
        say(ok ? `now ${status}` : "no such credential");
        return ok ? 0 : 1;
      }
      case "remove": {
        if (!arg) throw usageError("credentials remove UID --config FILE");
        const ok = store.remove(hashOf(arg));
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
        const n = store.upsert(parseCsv(readFileSync(arg, "utf8"), hashOf));
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
