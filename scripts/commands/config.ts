import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { isStationError, StationError } from "../../config/errors.ts";
import { stationJsonSchema } from "../../config/json-schema.ts";
import { formatIssues, loadConfigFile, parseConfigText } from "../../config/load.ts";
import type { StationConfig } from "../../config/schema.ts";
import { createSecretsFile } from "../../config/secrets.ts";
import { deprecatedSettings, stationTimeZone } from "../../config/station-time-zone.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { stationFileFor } from "../control-client.ts";
import { secretsCheck } from "../doctor/local-checks.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { usageError } from "./usage.ts";

function readStationText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    loadConfigFile(file); // throws the CONFIG_UNREADABLE error with its hint
    throw usageError(`cannot read ${file}`);
  }
}

/**
 * `config validate`: the station file, then what the station would refuse at start beyond it —
 * the secrets file (readable, mode 0600) and its key's fingerprint against the enrolled cards.
 */
export async function validate(file: string, opts: { json?: boolean }): Promise<number> {
  const result = parseConfigText(readStationText(file), dirname(resolve(file)));
  if (!result.ok) {
    if (opts.json) process.stdout.write(`${JSON.stringify({ ok: false, issues: result.issues })}\n`);
    else process.stderr.write(`${formatIssues(file, result.issues)}\n`);
    return EXIT.failed;
  }
  const secrets = await secretsCheck(result.config, {}).run();
  // Deprecated settings are read as their new names: a warning, never a refusal.
  const warnings = deprecatedSettings(result.config);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: secrets.ok, issues: [], warnings, secrets })}\n`);
    return secrets.ok ? EXIT.ok : EXIT.failed;
  }
  for (const w of warnings) process.stderr.write(`${file}: warning: ${w.detail}\n`);
  if (!secrets.ok) {
    process.stderr.write(
      `${file}: the settings are valid, but the secrets file is not: ${secrets.detail}\n${secrets.hint ? `  hint: ${secrets.hint}\n` : ""}`,
    );
    return EXIT.failed;
  }
  process.stdout.write(
    `${file}: valid (station ${result.config.station.id}, ${result.config.hardware.mode} hardware); secrets ${secrets.detail}\n`,
  );
  return EXIT.ok;
}

/** Every setting as dotted path → JSON value (arrays whole: a list is one setting to a reader). */
export function flatten(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** The file as the station reads it: its one time zone shown resolved (default, or an old key's). */
function effective(file: string): StationConfig {
  const config = loadConfigFile(file);
  return { ...config, station: { ...config.station, timezone: stationTimeZone(config) } };
}

/** `config show`: the station file with every default filled in, as the station reads it. */
export function show(file: string, opts: { json?: boolean }): number {
  const config = effective(file);
  if (opts.json) process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
  else for (const [k, v] of flatten(config)) process.stdout.write(`${k} = ${v}\n`);
  return EXIT.ok;
}

/**
 * `config diff [OTHER]`: what differs between two station files as the station reads them;
 * without OTHER, what this file changes from the defaults (the demo's minimal file).
 */
export function diff(file: string, other: string | undefined, opts: { json?: boolean }): number {
  const a = flatten(effective(file));
  const b = other ? flatten(effective(other)) : defaultsLike(file);
  const rows: { path: string; from?: string; to?: string }[] = [];
  for (const path of new Set([...b.keys(), ...a.keys()])) {
    const from = b.get(path);
    const to = a.get(path);
    if (from !== to) rows.push({ path, ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
  rows.sort((x, y) => x.path.localeCompare(y.path));
  if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else if (rows.length === 0) process.stdout.write("no differences\n");
  else
    for (const r of rows) process.stdout.write(`${r.path}: ${r.from ?? "(unset)"} -> ${r.to ?? "(unset)"}\n`);
  return rows.length === 0 ? EXIT.ok : EXIT.failed;
}

/**
 * What the station would read at each path the file sets, had the file not set it: the file
 * parsed again without that one setting. A setting that cannot be left out is required.
 */
function defaultsLike(file: string): Map<string, string> {
  const text = readStationText(file);
  const base = dirname(resolve(file));
  const raw = flatten(parseDocument(text).toJS() as unknown);
  const out = new Map(flatten(effective(file)));
  for (const path of raw.keys()) {
    const doc = parseDocument(text);
    doc.deleteIn(path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k)));
    const r = parseConfigText(doc.toString(), base);
    const without = r.ok ? flatten(r.config) : undefined;
    for (const [k] of out) {
      if (k !== path && !k.startsWith(`${path}.`)) continue;
      const v = without?.get(k);
      if (v === undefined) out.delete(k);
      else out.set(k, v);
    }
    if (!r.ok) out.set(path, "(required)");
  }
  return out;
}

/** A value as typed on the command line: JSON when it parses (numbers, true, lists), else text. */
function typedValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * `config set PATH VALUE`: change one setting in the file, keeping its comments; the result
 * must validate or nothing is written. Written to a temp file and renamed, keeping the mode.
 */
export function set(file: string, path: string, value: string): number {
  const text = readStationText(file);
  const doc = parseDocument(text);
  const keys = path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  if (keys.some((k) => k === "")) throw usageError(`"${path}" is not a setting's path, e.g. door.unlockMs`);
  doc.setIn(keys, typedValue(value));
  const next = doc.toString();
  const result = parseConfigText(next, dirname(resolve(file)));
  if (!result.ok) {
    process.stderr.write(`${formatIssues(file, result.issues)}\n${file} was left as it was\n`);
    return EXIT.failed;
  }
  const tmp = join(dirname(resolve(file)), `.${Date.now()}.config-set.tmp`);
  writeFileSync(tmp, next, { mode: statSync(file).mode & 0o777 });
  renameSync(tmp, file);
  process.stdout.write(`${path} = ${JSON.stringify(typedValue(value))} in ${file} (valid)\n`);
  return EXIT.ok;
}

export function schema(opts: { write?: boolean }): number {
  const text = `${JSON.stringify(stationJsonSchema(), null, 2)}\n`;
  if (opts.write) writeFileSync(join(PACKAGE_ROOT, "config", "schema.json"), text);
  else process.stdout.write(text);
  return EXIT.ok;
}

export function secretsInit(file: string): number {
  try {
    createSecretsFile(file);
  } catch (cause) {
    if (isStationError(cause) || (cause as NodeJS.ErrnoException).code !== "EEXIST") throw cause;
    // never overwrite a key: every card enrolled under it would stop matching
    throw new StationError("SECRETS_EXISTS", "secrets", `${file} already exists; it was left as it is`, {
      cause,
      hint: "a station keeps its secrets file; to start over, move the old one away first (its key is what enrolled cards hash with)",
    });
  }
  process.stdout.write(`created ${file} (mode 0600) with a fresh credential key\n`);
  return EXIT.ok;
}

export { stationFileFor };
