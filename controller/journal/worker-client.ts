import type { Worker } from "node:worker_threads";
import { spawnBundledWorker } from "../workers/bundled-worker.ts";
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
    const worker = spawnBundledWorker(new URL("./journal-worker.ts", import.meta.url), "journal-worker");
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

/** Whatever a journal request failed with, as a fault the journal can act on. */
export function toFault(err: unknown): JournalFault {
  if (err instanceof WorkerFault) return err.fault;
  return { code: "JOURNAL_UNAVAILABLE", message: err instanceof Error ? err.message : String(err) };
}
