// The journal worker's entry: worker threads do not inherit the main thread's TypeScript
// loader, so this loads the worker's .ts module through tsx.
import { workerData } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

await tsImport(workerData.entry, import.meta.url);
