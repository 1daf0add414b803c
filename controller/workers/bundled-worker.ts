import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const sources = new Map<string, string>();

/**
 * A worker thread running `entry` (a TypeScript module beside its caller). The bundled service
 * (dist/, scripts/build.mjs) ships each worker prebuilt as `<name>.cjs` beside the bundle, so a
 * station never runs esbuild at start; from the sources it is built once, in memory.
 */
export function spawnBundledWorker(entry: URL, name: string): Worker {
  const prebuilt = prebuiltWorker(name);
  return prebuilt ? new Worker(prebuilt) : new Worker(workerSource(entry), { eval: true });
}

function prebuiltWorker(name: string): string | undefined {
  for (const rel of [`./${name}.cjs`, `../${name}.cjs`]) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  return undefined;
}

/**
 * The worker's code as one plain script. Worker threads do not inherit the main thread's
 * TypeScript loader, and a loader of its own would cost the worker about 10 MB and 100 ms more,
 * so the worker's few modules are bundled once, in memory, by esbuild (which tsx already uses).
 */
function workerSource(entryUrl: URL): string {
  const entry = fileURLToPath(entryUrl);
  const cached = sources.get(entry);
  if (cached) return cached;
  // Loaded only here: a bundled station has the prebuilt worker and never loads esbuild.
  const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const out = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "iife",
    target: "node20",
    write: false,
    external: ["better-sqlite3"],
    logLevel: "silent",
  }).outputFiles[0]?.text;
  if (!out) throw new Error(`could not build the worker ${entry}`);
  // An eval'd worker resolves require() from the current directory: resolve from here instead.
  const source = `((require) => {\n${out}\n})(require("node:module").createRequire(${JSON.stringify(entry)}));`;
  sources.set(entry, source);
  return source;
}
