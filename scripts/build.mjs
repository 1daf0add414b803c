// Bundles the TypeScript sources into dist/waystation.mjs: what a station's service runs.
// Running the sources through tsx costs a loader thread (~35 MB RSS) and start-up time;
// `npm ci` builds this bundle (prepare), the systemd unit runs it.
import { basename, dirname } from "node:path";
import { build } from "esbuild";

export const NATIVE = [
  "better-sqlite3",
  "onoff",
  "epoll",
  "nfc-pcsc",
  "@pokusew/pcsclite",
  "pino",
  "pino-pretty",
  "thread-stream",
];

/**
 * Bundle one TypeScript entry point for Node into `outfile`, with the lazily imported commands
 * split into chunks beside it, so a station process parses only what `run` needs.
 */
export async function bundle(entry, outfile) {
  const outdir = dirname(outfile);
  const name = basename(outfile).replace(/\.mjs$/, "");
  await build({
    entryPoints: { [name]: entry },
    splitting: true,
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Native addons and pino's worker-based transports must stay real packages on disk.
    external: NATIVE,
    banner: {
      js: "import { createRequire as __wsCreateRequire } from 'node:module'; const require = __wsCreateRequire(import.meta.url);",
    },
    sourcemap: "linked",
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await bundle(
    new URL("./cli.ts", import.meta.url).pathname,
    new URL("../dist/waystation.mjs", import.meta.url).pathname,
  );
}
