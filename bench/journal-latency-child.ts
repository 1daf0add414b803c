/**
 * The durable-latency benchmark in a process of its own, as a controller runs: what the bench
 * runner did before (300,000 events, a million credentials) must not be in its heap.
 */
import { durableLatency, timerGroupLatency } from "./journal-append.ts";

const seconds = Number(process.argv[2] ?? 3);
const ours = await durableLatency(seconds);
const timer = await timerGroupLatency(seconds);
process.stdout.write(`${JSON.stringify({ ours, timer })}\n`);
process.exit(0);
