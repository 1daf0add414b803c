/**
 * The drain benchmark's own process, so that its RSS is a controller's and not the bench
 * runner's: drains a journal's backlog to the broker as the station does, then
 * runs the naive loop on payloads of the same kind. Prints one JSON line.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import mqtt from "mqtt";
import pino from "pino";
import { EventBus } from "../controller/events/event-bus.ts";
import { Journal } from "../controller/journal/journal.ts";
import { EventDelivery } from "../controller/mqtt/event-delivery.ts";
import { MqttLink } from "../controller/mqtt/mqtt-link.ts";
import { SystemClock } from "../device/clock/system-clock.ts";

const [url, fileArg, countArg, naiveArg, brokerPidArg] = process.argv.slice(2);
if (!url || !fileArg) throw new Error("usage: mqtt-drain-child.ts URL JOURNAL_FILE COUNT NAIVE_COUNT");
const count = Number(countArg ?? 100_000);
const naiveCount = Number(naiveArg ?? 30_000);
const topic = "waystation/v1/bench/events";
const limits = { maxEvents: 10_000_000, maxBytes: 4 * 1024 ** 3, maxFileBytes: 8 * 1024 ** 3 };
const clock = new SystemClock();
const log = pino({ level: "silent" });
const mb = (b: number) => Math.round(b / 104857.6) / 10;

// The backlog (what a station holds after an outage) was committed to FILE by the parent.
const file = fileArg;
const journal = new Journal(
  // keepDelivered as the station's default (config/sections/journal.ts): history kept, pruned in batches
  { file, ...limits, warnRatio: 0.8, memoryEvents: 20_000, retryMs: 1000, keepDelivered: 20_000 },
  clock,
  log,
);
await journal.start();
const link = new MqttLink(
  {
    urls: [url],
    clientId: "waystation-bench",
    protocolVersion: 5,
    keepaliveS: 30,
    sessionExpiryS: 0,
    maxIncomingPacketBytes: 256 * 1024,
    connectTimeoutMs: 5000,
    reconnect: { baseMs: 100, capMs: 1000 },
    will: { topic: "waystation/v1/bench/status", payload: "{}" },
  },
  clock,
  log,
);
const delivery = new EventDelivery(journal, link, { topic, window: 256 }, clock, log);
delivery.start();
global.gc?.();
const rssBefore = process.memoryUsage().rss;
let rssMax = rssBefore;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  rssMax = Math.max(rssMax, m.rss);
}, 10);
let t0 = 0;
let cpu0 = 0;
let processCpu0 = process.cpuUsage();
let brokerCpu0 = 0;
const brokerCpuS = () => (brokerPidArg ? procCpuS(`/proc/${brokerPidArg}/stat`) : Number.NaN);
/**
 * CPU seconds the main thread (where delivery runs) has used, from /proc (Node 20 has no
 * per-thread figure): on a shared machine the wall-clock rate says as much about the neighbours.
 */
function mainThreadCpuS(): number {
  return procCpuS(`/proc/self/task/${process.pid}/stat`);
}
/** CPU seconds (user + system) of a process or thread, from its /proc stat file (10 ms ticks). */
function procCpuS(statFile: string): number {
  try {
    const stat = readFileSync(statFile, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
link.onConnect((info) => {
  t0 = performance.now();
  cpu0 = mainThreadCpuS();
  processCpu0 = process.cpuUsage();
  brokerCpu0 = brokerCpuS();
  delivery.onConnect(info.receiveMaximum);
});
link.onDisconnect(() => delivery.onDisconnect());
link.start();
while (!(t0 > 0 && journal.status().backlog === 0 && journal.status().bytes === 0)) {
  await new Promise((r) => setTimeout(r, 2));
}
const drainS = (performance.now() - t0) / 1000;
const drainCpuS = mainThreadCpuS() - cpu0;
const processCpu = process.cpuUsage(processCpu0);
const processCpuS = (processCpu.user + processCpu.system) / 1e6;
const drainBrokerCpuS = brokerCpuS() - brokerCpu0;
// Most of the RSS growth is garbage V8 has not collected yet; say how much is live.
global.gc?.();
const heapAfterGcMb = mb(process.memoryUsage().heapUsed);
clearInterval(sampler);
rssMax = Math.max(rssMax, process.memoryUsage().rss);
const published = delivery.published;
delivery.stop();
await link.stop();
await journal.stop();
const left = (() => {
  const db = new Database(file, { readonly: true });
  // Undelivered rows: those above the delivered watermark (below it is the kept history).
  const n = (
    db
      .prepare(
        "SELECT count(*) AS n FROM events WHERE seq > coalesce((SELECT value FROM meta WHERE key = 'delivered_seq'), 0)",
      )
      .get() as { n: number }
  ).n;
  db.close();
  return n;
})();

// The baseline a first attempt would write: one await per publish.
const payloads: string[] = [];
{
  const bus = new EventBus("bench", "boot2", clock, () => {});
  bus.subscribe((e) => payloads.push(JSON.stringify(e)));
  for (let i = 0; i < naiveCount; i++)
    bus.emit("access.denied", {
      readerId: "entry",
      credential: "ab".repeat(32),
      format: "uid-4",
      reason: "unknown",
    });
}
const naive = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: "waystation-bench-naive" });
const n0 = performance.now();
for (const p of payloads) await naive.publishAsync(topic, p, { qos: 1 });
const naiveS = (performance.now() - n0) / 1000;
await naive.endAsync();

process.stdout.write(
  `${JSON.stringify({
    count,
    published,
    left,
    drainPerS: count / drainS,
    drainCpuS,
    processCpuS,
    brokerCpuS: drainBrokerCpuS,
    naiveCount,
    naivePerS: naiveCount / naiveS,
    rssBeforeMb: mb(rssBefore),
    rssMaxMb: mb(rssMax),
    heapAfterGcMb,
  })}\n`,
);
process.exit(0);
