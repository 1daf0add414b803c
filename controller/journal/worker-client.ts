import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { WorkerReply, WorkerRequest, WorkerResults } from "./protocol.ts";
import type { JournalFault } from "./storage-errors.ts";

type Pending = { resolve: (v: unknown) => void; reject: (f: JournalFault) => void };

/** A fault the worker reported, or the worker itself died. */
export class WorkerFault extends Error {
  constructor(readonly fault: JournalFault) {
    super(fault.message);
  }
}

/**
 * The main thread's side of the journal worker: one promise per request. If the worker dies,
 * every pending request fails with JOURNAL_UNAVAILABLE and the next request starts a new one.
 */
export class JournalWorkerClient {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  request<K extends WorkerRequest["op"]>(req: Extract<WorkerRequest, { op: K }>): Promise<WorkerResults[K]> {
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise<WorkerResults[K]>((resolve, reject) => {
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject: (f) => reject(new WorkerFault(f)),
      });
      worker.postMessage({ id, ...req });
    });
  }

  async terminate(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
    this.failAll("the journal worker was stopped");
  }

  private spawn(): Worker {
    const prebuilt = prebuiltWorker();
    const worker = prebuilt ? new Worker(prebuilt) : new Worker(workerSource(), { eval: true });
    // An idle worker must not keep a stopping process alive.
    worker.unref();
    worker.on("message", (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(reply.fault);
    });
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(why);
    };
    worker.on("error", (err) => died(`the journal worker failed: ${err.message}`));
    worker.on("exit", (code) => died(`the journal worker exited (${code})`));
    this.worker = worker;
    return worker;
  }

  private failAll(message: string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject({ code: "JOURNAL_UNAVAILABLE", message });
  }
}

let source: string | undefined;

/**
 * The bundled service (dist/, scripts/build.mjs) ships the worker prebuilt beside the bundle, so a
 * station never runs esbuild at start. From the sources, there is none and it is built in memory.
 */
function prebuiltWorker(): string | undefined {
  for (const rel of ["./journal-worker.cjs", "../journal-worker.cjs"]) {
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
function workerSource(): string {
  if (source) return source;
  const entry = fileURLToPath(new URL("./journal-worker.ts", import.meta.url));
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
  if (!out) throw new Error("could not build the journal worker");
  // An eval'd worker resolves require() from the current directory: resolve from here instead.
  source = `((require) => {\n${out}\n})(require("node:module").createRequire(${JSON.stringify(entry)}));`;
  return source;
}

/** Whatever a journal request failed with, as a fault the journal can act on. */
export function toFault(err: unknown): JournalFault {
  if (err instanceof WorkerFault) return err.fault;
  return { code: "JOURNAL_UNAVAILABLE", message: err instanceof Error ? err.message : String(err) };
}
