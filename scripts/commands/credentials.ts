import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { StationError } from "../../config/errors.ts";
import { loadConfigFile } from "../../config/load.ts";
import type { StationConfig } from "../../config/schema.ts";
import { loadSecretsFile } from "../../config/secrets.ts";
import { stationTimeZone } from "../../config/station-time-zone.ts";
import { SqliteCredentialStore } from "../../controller/access/sqlite-credential-store.ts";
import { createIdentifierHasher, credentialKeyFingerprint } from "../../device/identity/hasher.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { paint, progress } from "../cli/output.ts";
import { stationFileFor } from "../control-client.ts";
import { type HashOf, parseCsv } from "./credentials/csv.ts";
import { role, schedule, time } from "./credentials/fields.ts";
import {
  checkPinPolicy,
  identifierFrom,
  kindOf,
  rawIdentifier,
  shortHash,
} from "./credentials/identifiers.ts";
import { formatListing, listCredentials } from "./credentials/listing.ts";
import { usageError } from "./usage.ts";

export interface IdOptions {
  kind?: string;
  format?: string;
  idFile?: string;
}

export interface AddOptions extends IdOptions {
  person: string;
  role?: string;
  validFrom?: string;
  validUntil?: string;
  schedule?: string;
  secondFactor?: boolean;
  face?: boolean;
  replace?: boolean;
}

const say = (s: string) => process.stdout.write(`${s}\n`);

/** With --json one object on stdout (the shapes are in docs/cli.md); otherwise the line for people. */
function report(json: boolean | undefined, human: string, data: Record<string, unknown>): void {
  say(json ? JSON.stringify(data) : human);
}

function hasherFor(key: string, opts: IdOptions): HashOf {
  const kind = kindOf(opts.kind);
  const hasher = createIdentifierHasher(key);
  return (id) => hasher(kind, rawIdentifier(kind, id, opts.format ?? "wiegand-26"));
}

/**
 * `credentials hash ID`: for access.allowList. The key from `--secrets FILE`, or from the secrets
 * file the station file names (`--config FILE`, else $WAYSTATION_CONFIG, else the demo's).
 */
export async function hash(
  id: string | undefined,
  opts: IdOptions & { secrets?: string; config?: string; json?: boolean },
): Promise<number> {
  const given = await identifierFrom(id, opts.idFile);
  if (!given) throw usageError("credentials hash ID [--config FILE | --secrets FILE]");
  const secrets = opts.secrets ?? loadConfigFile(stationFileFor(opts.config)).secretsFile;
  const h = hasherFor(loadSecretsFile(secrets).credentialKey, opts)(given);
  report(opts.json, h, { ok: true, hash: h });
  return EXIT.ok;
}

export interface Opened {
  config: StationConfig;
  store: SqliteCredentialStore;
  key: string;
}

/** The station's store, refused when the secrets file's key is not the one it was enrolled under. */
export async function withStore<T>(
  configFile: string | undefined,
  fn: (o: Opened) => Promise<T> | T,
): Promise<T> {
  const config = loadConfigFile(stationFileFor(configFile));
  const key = loadSecretsFile(config.secretsFile).credentialKey;
  const store = new SqliteCredentialStore(join(config.dataDir, "credentials.db"));
  store.open();
  try {
    // Enrolling under another key than the store's would mix hashes no reader can match.
    store.checkKeyFingerprint(credentialKeyFingerprint(key));
    return await fn({ config, store, key });
  } finally {
    store.close();
  }
}

/** Ask on a terminal; elsewhere (a script) the answer is no: --replace says it explicitly. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes|是)$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export async function add(
  id: string | undefined,
  opts: AddOptions & { config?: string; json?: boolean },
): Promise<number> {
  const given = await identifierFrom(id, opts.idFile);
  if (!given) throw usageError("credentials add ID --person PERSON");
  return withStore(opts.config, async (o) => {
    const note = kindOf(opts.kind) === "keypad" ? checkPinPolicy(given, o.config.access.pins) : undefined;
    const done = await enrolHash(o, hasherFor(o.key, opts)(given), opts);
    report(opts.json, `${enrolledLine(done)}${note ? `\n${note}` : ""}`, {
      ok: true,
      ...done,
      ...(note ? { note } : {}),
    });
    return EXIT.ok;
  });
}

/** What enrolling one credential did (the `--json` shape of `credentials add`). */
export interface Enrolled {
  action: "enrolled" | "replaced";
  personId: string;
  role: string;
  /** the keyed hash, shortened */
  hash: string;
  /** who it was enrolled for before, when replaced */
  replacedPersonId?: string;
  /** how many credentials the store holds now */
  credentials: number;
}

export const enrolledLine = (e: Enrolled) => `${e.action} ${e.personId}; ${e.credentials} credentials`;

/**
 * Enrol a credential by its keyed hash (from `add`, or from a card read at the reader). Every
 * field is checked against the station file first; a card already enrolled is replaced only
 * when the technician says so (asked on a terminal, or --replace).
 */
export async function enrolHash(
  o: Opened,
  credential: string,
  opts: AddOptions & { json?: boolean },
): Promise<Enrolled> {
  const tz = stationTimeZone(o.config);
  const record = {
    credential,
    personId: opts.person,
    role: role(opts.role),
    status: "active" as const,
    validFrom: time(opts.validFrom, "--valid-from", "start", tz),
    validUntil: time(opts.validUntil, "--valid-until", "end", tz),
    schedule: schedule(opts.schedule, o.config.access.schedules),
    secondFactor: opts.face === true || opts.secondFactor === true,
  };
  const existing = o.store.lookup(record.credential);
  if (existing && !opts.replace) {
    const what = `this card is already enrolled for ${existing.personId} (${existing.role}, ${existing.status})`;
    // a script asking for JSON is never asked a question
    if (opts.json || !(await confirm(`${what}; replace it with ${opts.person}?`))) {
      throw new StationError("CREDENTIAL_EXISTS", "cli", `${what}; nothing changed`, {
        hint: "pass --replace to replace it",
      });
    }
  }
  o.store.upsert([record]);
  return {
    action: existing ? "replaced" : "enrolled",
    personId: opts.person,
    role: record.role,
    hash: shortHash(credential),
    ...(existing ? { replacedPersonId: existing.personId } : {}),
    credentials: o.store.size,
  };
}

export async function setStatus(
  sub: "block" | "lost" | "unblock" | "remove",
  id: string | undefined,
  opts: IdOptions & { config?: string; json?: boolean },
): Promise<number> {
  const given = await identifierFrom(id, opts.idFile);
  if (!given) throw usageError(`credentials ${sub} ID`);
  return withStore(opts.config, ({ store, key }) => {
    const h = hasherFor(key, opts)(given);
    const status = sub === "block" ? "blocked" : sub === "lost" ? "lost" : "active";
    const ok = sub === "remove" ? store.remove(h) : store.setStatus(h, status);
    const now = sub === "remove" ? "removed" : status;
    report(opts.json, ok ? (sub === "remove" ? "removed" : `now ${status}`) : "no such credential", {
      ok,
      hash: shortHash(h),
      ...(ok ? { status: now, credentials: store.size } : { code: "NOT_FOUND" }),
    });
    return ok ? EXIT.ok : EXIT.failed;
  });
}

export async function forget(person: string, opts: { config?: string; json?: boolean }): Promise<number> {
  return withStore(opts.config, ({ store }) => {
    const removed = store.removePerson(person);
    report(opts.json, `removed ${removed} credential(s) of ${person}`, {
      ok: true,
      personId: person,
      removed,
      credentials: store.size,
    });
    return EXIT.ok;
  });
}

export async function count(opts: { config?: string; json?: boolean }): Promise<number> {
  return withStore(opts.config, ({ store }) => {
    report(opts.json, String(store.size), { ok: true, credentials: store.size });
    return EXIT.ok;
  });
}

/** `credentials list` / `show`: hashes shortened; the store holds no card number to show. */
export async function list(
  id: string | undefined,
  opts: IdOptions & { config?: string; person?: string; json?: boolean },
): Promise<number> {
  const given =
    id === undefined && opts.idFile === undefined ? undefined : await identifierFrom(id, opts.idFile);
  return withStore(opts.config, ({ config, key }) => {
    const rows = listCredentials(join(config.dataDir, "credentials.db"), {
      ...(opts.person !== undefined ? { person: opts.person } : {}),
      ...(given !== undefined ? { hash: hasherFor(key, opts)(given) } : {}),
    });
    if (opts.json) say(JSON.stringify(rows));
    else process.stdout.write(formatListing(rows, stationTimeZone(config)));
    return given !== undefined && rows.length === 0 ? EXIT.failed : EXIT.ok;
  });
}

export async function importCsv(
  file: string,
  opts: IdOptions & { config?: string; replace?: boolean; json?: boolean },
): Promise<number> {
  const text = readFileSync(file, "utf8");
  // The file holds raw card numbers: say so every time, it is the one copy that is not hashed.
  process.stderr.write(
    `${paint("yellow", "note:", process.stderr)} ${file} holds raw card numbers: delete it (or keep it locked away) once imported\n`,
  );
  return withStore(opts.config, ({ config, store, key }) => {
    const records = parseCsv(text, {
      hashOf: hasherFor(key, opts),
      timeZone: stationTimeZone(config),
      schedules: config.access.schedules,
    });
    const bar = progress("checking", records.length);
    const replacing: string[] = [];
    records.forEach((r, i) => {
      const e = store.lookup(r.credential);
      if (e) replacing.push(`${r.personId} (enrolled for ${e.personId})`);
      if (i % 500 === 0 || i === records.length - 1) bar.tick(i + 1);
    });
    bar.end(`${records.length} row(s) checked`);
    if (replacing.length > 0 && !opts.replace) {
      throw new StationError(
        "CREDENTIAL_EXISTS",
        "cli",
        `${replacing.length} card(s) in ${file} are already enrolled: ${replacing.slice(0, 5).join(", ")}${replacing.length > 5 ? ", ..." : ""}; nothing imported`,
        { hint: "pass --replace to replace them" },
      );
    }
    const n = store.upsert(records);
    report(
      opts.json,
      `imported ${n}; ${store.size} credentials${replacing.length ? ` (${replacing.length} replaced)` : ""}`,
      { ok: true, imported: n, replaced: replacing.length, credentials: store.size },
    );
    return EXIT.ok;
  });
}
