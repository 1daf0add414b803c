import { join, resolve } from "node:path";

/** Benchmarked processes run as the station service does (docs/install.md). */
export const ROOT = resolve(import.meta.dirname, "..");
/**
 * The settings of the station service (scripts/service/waystation.service): a small young
 * generation, few malloc arenas. test/service-unit.test.ts fails when the unit and these part.
 */
export const SERVICE_NODE_FLAGS = ["--max-semi-space-size=1"];
export const SERVICE_ENV = { MALLOC_ARENA_MAX: "2" };
/** SERVICE_ENV as the bench reports it beside a figure. */
export const SERVICE_ENV_TEXT = Object.entries(SERVICE_ENV)
  .map(([k, v]) => `${k}=${v}`)
  .join(" ");

interface Build {
  bundle: (entry: string, out: string) => Promise<void>;
  bundleJournalWorker: (out: string) => Promise<void>;
}

/**
 * Bundle a bench child into dist/ as the service is bundled (no TypeScript loader in the
 * process), with the journal worker prebuilt beside it. Returns the bundle's path.
 */
export async function bundleChild(entry: string, name: string, withJournalWorker = false): Promise<string> {
  const build = (await import(join(ROOT, "scripts", "build.mjs"))) as Build;
  const out = join(ROOT, "dist", `${name}.mjs`);
  await build.bundle(entry, out);
  if (withJournalWorker) await build.bundleJournalWorker(join(ROOT, "dist", "journal-worker.cjs"));
  return out;
}
