// Bundles the TypeScript sources into dist/waystation.mjs: what a station's service runs.
// Running the sources through tsx costs a loader thread (~35 MB RSS) and start-up time;
// `npm ci` builds this bundle (prepare), the systemd unit runs it.
import { rmSync } from "node:fs";
import { basename, dirname } from "node:path";
import { build } from "esbuild";

const QUIET_DEBUG = new URL("./quiet-debug.cjs", import.meta.url).pathname;

/** `debug` resolves to scripts/quiet-debug.cjs, except from that file itself (why: there). */
const quietDebug = {
  name: "quiet-debug",
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) =>
      args.importer === QUIET_DEBUG ? undefined : { path: QUIET_DEBUG },
    );
  },
};

export const NATIVE = [
  "esbuild",
  "better-sqlite3",
  "onoff",
  "epoll",
  "nfc-pcsc",
  "@pokusew/pcsclite",
  "serialport",
  "@serialport/bindings-cpp",
  "pino",
  "pino-pretty",
  "thread-stream",
  // argon2 ships its binary as a per-platform optional package, required at run time
  "@node-rs/argon2",
];

/**
 * johnny-five's board.js requires its REPL at load time, even with `repl: false` (the station's
 * setting): that pulls in node's repl, readline, vm, domain and acorn, ~6 MB of the station's RSS
 * for a prompt no station shows (docs/design-notes.md, "station.rss"). The bundle gets a REPL that
 * refuses to start instead.
 */
const noJohnnyFiveRepl = {
  name: "no-johnny-five-repl",
  setup(b) {
    b.onResolve({ filter: /^\.\/repl$/ }, (args) =>
      /[\\/]johnny-five[\\/]lib$/.test(args.resolveDir)
        ? { path: "johnny-five-repl", namespace: "no-repl" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "no-repl" }, () => ({
      contents:
        "module.exports = class Repl { constructor() { throw new Error('the johnny-five REPL is not in the station bundle: pass repl: false'); } };",
      loader: "js",
    }));
  },
};

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
    plugins: [noJohnnyFiveRepl, quietDebug],
    banner: {
      js: "import { createRequire as __wsCreateRequire } from 'node:module'; const require = __wsCreateRequire(import.meta.url);",
    },
    sourcemap: "linked",
    // V8 keeps each script's source in the heap, as two bytes per character as soon as one
    // comment holds a non-ASCII letter: without comments the service carries ~2 MB less.
    // Identifiers are kept, so stack traces in the log stay readable.
    minifyWhitespace: true,
    logLevel: "warning",
  });
}

/** The journal's worker thread, prebuilt (the power-cut test's child bundles it too). */
export async function bundleJournalWorker(outfile) {
  await bundleWorker("../controller/journal/journal-worker.ts", outfile);
}

/**
 * Everything the bundle starts beside itself: the journal and credential-list worker threads and
 * the face process. The .deb and `npm run build` both call this, so neither can miss one.
 */
export async function bundleSidecars(distDir) {
  await bundleJournalWorker(`${distDir}/journal-worker.cjs`);
  await bundleWorker("../controller/credentials/list-worker.ts", `${distDir}/list-worker.cjs`);
  await bundleFaceService(`${distDir}/face-service.mjs`);
}

/** A worker thread, prebuilt beside the bundle (controller/workers/bundled-worker.ts finds it). */
export async function bundleWorker(source, outfile) {
  await build({
    entryPoints: [new URL(source, import.meta.url).pathname],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile,
    external: ["better-sqlite3"],
    logLevel: "warning",
  });
}

/**
 * The face process's entry, bundled beside the station's. human and tfjs stay real packages on
 * disk: human's WASM build is loaded by absolute path at run time and finds its .wasm files there.
 */
export async function bundleFaceService(outfile) {
  await build({
    entryPoints: [new URL("../device/face/face-service-main.ts", import.meta.url).pathname],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    external: ["@vladmandic/human", "@tensorflow/*", "jpeg-js", "pngjs"],
    banner: {
      js: "import { createRequire as __wsCreateRequire } from 'node:module'; const require = __wsCreateRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Chunk names are content hashes: clear the old ones, or dist/ grows with every build.
  rmSync(new URL("../dist/chunks", import.meta.url).pathname, { recursive: true, force: true });
  await bundle(
    new URL("./cli.ts", import.meta.url).pathname,
    new URL("../dist/waystation.mjs", import.meta.url).pathname,
  );
  await bundleSidecars(new URL("../dist", import.meta.url).pathname);
}
