import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type StationConfig, StationConfigSchema } from "../../config/schema.ts";
import { writeFileDurably } from "../persist/durable-file.ts";

/**
 * The sections the central server may set. Everything that holds a secret or its path (mqtt
 * credentials and TLS files, secretsFile), decides who is trusted (remote keys) or where the
 * station keeps its data is not remotely settable: secrets never travel in desired config.
 */
export const REMOTE_SECTIONS = ["door", "access"] as const;

/** Single settings the centre may set in a section it may not set otherwise. */
export const REMOTE_SETTINGS: Readonly<Record<string, readonly string[]>> = { station: ["timezone"] };

const remotelySettable = (key: string, value: unknown): boolean =>
  (REMOTE_SECTIONS as readonly string[]).includes(key) ||
  (isObject(value) && Object.keys(value).every((k) => REMOTE_SETTINGS[key]?.includes(k)));

const SETTABLE = [
  ...REMOTE_SECTIONS,
  ...Object.entries(REMOTE_SETTINGS).flatMap(([s, keys]) => keys.map((k) => `${s}.${k}`)),
].join(", ");

export interface Issue {
  path: string;
  message: string;
}

export interface ConfigChange {
  path: string;
  from: unknown;
  to: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and values replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** Leaf-level differences, as dotted paths. */
export function diffConfig(from: unknown, to: unknown, path = ""): ConfigChange[] {
  if (isObject(from) && isObject(to)) {
    const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
    return [...keys].flatMap((k) => diffConfig(from[k], to[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ path, from, to }];
}

const SECRET_PATH = /key|secret|password|token|credential/i;

/** A diff fit for the journal: values under anything that looks like a secret are blanked. */
export function redactDiff(changes: readonly ConfigChange[]): ConfigChange[] {
  return changes.map((c) =>
    SECRET_PATH.test(c.path) ? { path: c.path, from: "[redacted]", to: "[redacted]" } : c,
  );
}

/**
 * The station file's config with a desired overlay, validated by the one schema. Only the
 * remotely settable sections may appear; every problem is reported with its path.
 */
export function overlayDesired(
  file: StationConfig,
  desired: Record<string, unknown>,
): { ok: true; config: StationConfig; changes: ConfigChange[] } | { ok: false; errors: Issue[] } {
  const forbidden = Object.keys(desired).filter((k) => !remotelySettable(k, desired[k]));
  if (forbidden.length > 0) {
    return {
      ok: false,
      errors: forbidden.map((k) => ({
        path: k,
        message: `not settable remotely (only ${SETTABLE}); change it in the station file`,
      })),
    };
  }
  const merged = deepMerge(JSON.parse(JSON.stringify(file)), desired);
  const parsed = StationConfigSchema.safeParse(merged);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        path: i.path.join(".") || "(top level)",
        message: i.message,
      })),
    };
  }
  // Paths made absolute by the loader stay as the file had them.
  const config = { ...parsed.data, dataDir: file.dataDir, secretsFile: file.secretsFile };
  return { ok: true, config, changes: diffConfig(file, config) };
}

export interface StoredDesired {
  version: number;
  id: string;
  kid: string;
  config: Record<string, unknown>;
  /** the station file's values, when the centre's config was accepted, at each path it sets */
  fileAtAccept?: Record<string, unknown>;
}

/** The dotted paths of an overlay's leaves (objects descend; arrays and values are leaves). */
export function leafPaths(v: unknown, path = ""): string[] {
  if (!isObject(v)) return path ? [path] : [];
  return Object.entries(v).flatMap(([k, x]) => leafPaths(x, path ? `${path}.${k}` : k));
}

export function valueAt(v: unknown, path: string): unknown {
  let at = v;
  for (const k of path.split(".")) at = isObject(at) ? at[k] : undefined;
  return at;
}

/** What the station file held at each path the centre sets: kept with the accepted config. */
export function snapshotFile(file: StationConfig, desired: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(leafPaths(desired).map((p) => [p, valueAt(file, p) ?? null]));
}

/**
 * A technician's local change: the station file now differs, at a path the centre set, from
 * what it held when the centre's config was accepted. The local change wins at that path (the
 * newest decision, made on site) until the centre sends a newer version, and it is flagged in
 * `config/reported` so the centre can adopt it or overrule it.
 */
export function localOverrides(file: StationConfig, stored: StoredDesired): string[] {
  const snap = stored.fileAtAccept;
  if (!snap) return [];
  return Object.keys(snap).filter(
    (p) => JSON.stringify(valueAt(file, p) ?? null) !== JSON.stringify(snap[p]),
  );
}

/** The overlay without the given leaf paths. */
export function withoutPaths(
  desired: Record<string, unknown>,
  paths: readonly string[],
): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(desired)) as Record<string, unknown>;
  for (const p of paths) {
    const keys = p.split(".");
    const last = keys.pop() as string;
    let at: unknown = out;
    for (const k of keys) at = isObject(at) ? at[k] : undefined;
    if (isObject(at)) delete at[last];
  }
  return out;
}

export function desiredFile(dataDir: string): string {
  return join(dataDir, "desired-config.json");
}

/** The accepted desired config, or undefined; a damaged file counts as none (the file config runs). */
export function loadDesired(dataDir: string): StoredDesired | undefined {
  try {
    const v = JSON.parse(readFileSync(desiredFile(dataDir), "utf8")) as StoredDesired;
    return typeof v.version === "number" && isObject(v.config) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Atomic and durable (temp file, fsync, rename, fsync of the directory). */
export function saveDesired(dataDir: string, desired: StoredDesired): void {
  writeFileDurably(desiredFile(dataDir), JSON.stringify(desired));
}

/** What boot runs: the station file's config with the persisted desired overlay, when it still validates. */
export function effectiveConfig(file: StationConfig): {
  config: StationConfig;
  desired: StoredDesired | undefined;
  errors?: Issue[];
  overrides: string[];
} {
  const desired = loadDesired(file.dataDir);
  if (!desired) return { config: file, desired: undefined, overrides: [] };
  const overrides = localOverrides(file, desired);
  const r = overlayDesired(file, withoutPaths(desired.config, overrides));
  return r.ok
    ? { config: r.config, desired, overrides }
    : { config: file, desired: undefined, errors: r.errors, overrides };
}
