import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { StationError } from "./errors.ts";
import { schemaAt, stationJsonSchema } from "./json-schema.ts";
import { type LockSection, LockSectionSchema, type StationConfig, StationConfigSchema } from "./schema.ts";

export interface ConfigIssue {
  /** dotted path into the file, e.g. `door.lockMode` or `access.allowList[2].credential` */
  path: string;
  message: string;
  hint?: string;
  /** a code of its own for a refusal a program may act on (TIMEZONE_CONFLICT) */
  code?: ConfigIssueCode;
  /** 1-based line in the file, when the path exists there */
  line?: number;
}

export type ConfigIssueCode = "TIMEZONE_CONFLICT";

export type ConfigResult = { ok: true; config: StationConfig } | { ok: false; issues: ConfigIssue[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(top level)" : out;
}

/** Small edit distance, so a misspelt key gets "did you mean ...?". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

function closest(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of choices) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

interface CustomParams {
  code?: ConfigIssueCode;
  hint?: string;
}

/** Built once: a JSON Schema of the whole file costs ~30 ms, and only hints read it. */
let jsonSchema: ReturnType<typeof stationJsonSchema> | undefined;

function toIssues(error: z.ZodError, lineOf: (path: readonly PropertyKey[]) => number | undefined) {
  jsonSchema ??= stationJsonSchema();
  const schema = jsonSchema;
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const node = schemaAt(schema, issue.path);
    if (issue.code === "unrecognized_keys") {
      // A reader entry is one of several shapes (by `kind`): offer the keys of all of them.
      const shapes = node?.oneOf ?? node?.anyOf ?? (node ? [node] : []);
      const known = [...new Set(shapes.flatMap((s) => Object.keys(s.properties ?? {})))];
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const guess = closest(key, known);
        issues.push({
          path: formatPath(path),
          message: `unknown setting "${key}"`,
          hint: guess ? `did you mean "${guess}"?` : `known settings here: ${known.join(", ") || "none"}`,
          line: lineOf(path),
        });
      }
      continue;
    }
    // A check of the whole file may give its refusal a code and a hint of its own (params).
    const params = issue.code === "custom" ? (issue.params as CustomParams | undefined) : undefined;
    const hint =
      params?.hint ??
      (issue.code === "invalid_value" && "values" in issue
        ? `one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`
        : node?.description);
    const missing = issue.code === "invalid_type" && issue.message.endsWith("received undefined");
    issues.push({
      path: formatPath(issue.path),
      message: missing ? "required setting is missing" : issue.message,
      ...(hint ? { hint } : {}),
      ...(params?.code ? { code: params.code } : {}),
      // A missing setting has no line of its own; its enclosing section's is the useful one.
      line: lineOf(issue.path) ?? (issue.path.length > 1 ? lineOf(issue.path.slice(0, -1)) : undefined),
    });
  }
  return issues;
}

/** Parse YAML and validate it against `schema`; every problem with its path, line and hint. */
function parseWith<S extends z.ZodType>(
  schema: S,
  text: string,
): { ok: true; data: z.output<S> } | { ok: false; issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  let raw: unknown;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false });
    // A station file needs no aliases to speak of: a handful is plenty, and a "billion laughs"
    // (aliases of aliases) is refused before it expands.
    raw = doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    return { ok: false, issues: [yamlRefusal(err)] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        path: "(yaml)",
        message: e.message.split("\n")[0] ?? e.message,
        hint: "the file is not valid YAML; check indentation and quoting",
        line: lineCounter.linePos(e.pos[0]).line,
      })),
    };
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    return start === undefined ? undefined : lineCounter.linePos(start).line;
  };
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, issues: toIssues(parsed.error, lineOf) };
  return { ok: true, data: parsed.data };
}

const absolute = (p: string, baseDir: string) => (isAbsolute(p) ? p : resolve(baseDir, p));

/** Parse and validate a station file's text. Relative paths resolve against `baseDir`. */
export function parseConfigText(text: string, baseDir = process.cwd()): ConfigResult {
  const r = parseWith(StationConfigSchema, text);
  if (!r.ok) return r;
  const config = r.data;
  return {
    ok: true,
    config: {
      ...config,
      dataDir: absolute(config.dataDir, baseDir),
      secretsFile: absolute(config.secretsFile, baseDir),
    },
  };
}

const MAX_ALIASES = 100;

function yamlRefusal(err: unknown): ConfigIssue {
  // yaml's toJS throws a ReferenceError for aliases only (too many, or unresolvable).
  const aliases = err instanceof ReferenceError;
  return {
    path: "(yaml)",
    message: aliases
      ? `too many YAML aliases (more than ${MAX_ALIASES} expansions): refused as a resource-exhaustion attack`
      : "the file cannot be read as YAML",
    hint: aliases
      ? "write the values out instead of repeating *aliases"
      : "the file is not valid YAML; check indentation and quoting",
  };
}

export function formatIssues(file: string, issues: readonly ConfigIssue[]): string {
  const lines = [`${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}`];
  for (const i of issues) {
    const where = i.line === undefined ? "" : ` (line ${i.line})`;
    lines.push(`  ${i.path}${where}: ${i.message}`);
    if (i.hint) lines.push(`      hint: ${i.hint}`);
  }
  return lines.join("\n");
}

function readConfigText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (cause) {
    throw new StationError("CONFIG_UNREADABLE", "config", `cannot read config file ${file}`, {
      cause,
      hint: "pass the path of the station file, e.g. --config /etc/waystation/config.yaml",
    });
  }
}

function invalid(file: string, issues: ConfigIssue[]): StationError {
  return new StationError("CONFIG_INVALID", "config", formatIssues(file, issues), { issues });
}

/** Load a station file; a missing, unreadable or invalid file is a CONFIG_* StationError. */
export function loadConfigFile(file: string): StationConfig {
  const result = parseConfigText(readConfigText(file), dirname(resolve(file)));
  if (!result.ok) throw invalid(file, result.issues);
  return result.config;
}

/**
 * The few settings the lock relay needs, read from a station file that may be broken anywhere
 * else: `waystation lock safe` (ExecStopPost=) and the first step of `run` drive the lock safe
 * even when a bad edit elsewhere in the file is why the station will not start.
 */
export function loadLockSection(file: string): LockSection {
  const r = parseWith(LockSectionSchema, readConfigText(file));
  if (!r.ok) throw invalid(file, r.issues);
  return { ...r.data, dataDir: absolute(r.data.dataDir, dirname(resolve(file))) };
}
