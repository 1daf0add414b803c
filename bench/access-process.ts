import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pino from "pino";
import { createSecretsFile } from "../config/secrets.ts";
import { EmbeddedBroker } from "../scripts/embedded-broker.ts";
import { credentialDb } from "./fixtures.ts";
import { type BenchResult, result, round } from "./report.ts";
import { ROOT, SERVICE_ENV, SERVICE_ENV_TEXT, SERVICE_NODE_FLAGS } from "./service.ts";

export const CLI = join(ROOT, "dist", "waystation.mjs");
const BASELINE = join(ROOT, "dist", "bench-memory-store-station.mjs");

interface Launch {
  proc: ChildProcess;
  doorReadyMs: number;
  stationReadyMs: number;
}

export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}

/** A station directory with n credentials; `extra` is appended to the station file. */
export async function stationDir(
  n: number,
  brokerUrl: string,
  extra = "",
  consoleOn = false,
): Promise<StationDir> {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-"));
  // The data directory is private (checked at start): the station file lives beside it.
  const data = join(dir, "data");
  mkdirSync(data, { mode: 0o700 });
  copyFileSync(credentialDb(n), join(data, "credentials.db"));
  chmodSync(join(data, "credentials.db"), 0o600);
  createSecretsFile(join(dir, "secrets.yaml"));
  const port = await freePort();
  const config = join(dir, "station.yaml");
  writeFileSync(
    config,
    `station: { id: bench }
dataDir: ${data}
secretsFile: ${dir}/secrets.yaml
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: fail-secure }
mqtt: { url: "${brokerUrl}", protocolVersion: 4 }
console: { enabled: ${consoleOn}, port: ${port} }
${extra}
`,
  );
  return { config, console: `http://127.0.0.1:${port}`, socket: join(data, "run", "control.sock") };
}

/**
 * A bench station's files. The console is off unless asked for, as on a real station
 * (docs/commissioning.md: it is on only once provisioned); the work reaches the station through
 * its control socket, as `waystation sim tap` does.
 */
export interface StationDir {
  config: string;
  console: string;
  socket: string;
}

/** Start a station process and time it to the door being driven and to reads being accepted. */
export function launch(args: string[]): Promise<Launch> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, ...SERVICE_ENV, WAYSTATION_LOG_JSON: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((res, rej) => {
    let doorReadyMs = 0;
    let buf = "";
    let err = "";
    proc.stderr?.on("data", (d) => {
      err += d;
    });
    proc.once("exit", (code) => rej(new Error(`station exited (${code}) before it was ready: ${err}`)));
    proc.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      for (;;) {
        const nl = buf.indexOf("\n");
        if (nl < 0) break;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.includes('"msg":"door ready"')) doorReadyMs = performance.now() - t0;
        if (line.includes('"msg":"station ready"')) {
          proc.removeAllListeners("exit");
          res({ proc, doorReadyMs, stationReadyMs: performance.now() - t0 });
        }
      }
    });
  });
}

export async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  await new Promise<void>((res) => {
    proc.once("exit", () => res());
    proc.kill("SIGTERM");
  });
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * Some work first, so the figure is a working controller's, not an idle one's: card taps through
 * the control socket, each answered with the station's decision before the next.
 */
export async function exercise(dir: StationDir, taps: number): Promise<void> {
  const { connect } = await import("node:net");
  const sock = connect(dir.socket);
  await new Promise<void>((res, rej) => sock.once("connect", res).once("error", rej));
  let buf = "";
  const replies: ((line: string) => void)[] = [];
  sock.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.includes('"status"')) replies.shift()?.(line);
    }
  });
  try {
    for (let i = 0; i < taps; i++) {
      const uid = (0x04000000 + i * 7919).toString(16).toUpperCase().padStart(8, "0");
      const line = await new Promise<string>((res) => {
        replies.push(res);
        sock.write(`${JSON.stringify({ id: String(i), name: "sim.tap", args: { uid } })}\n`);
      });
      if (!line.includes('"ok"')) throw new Error(`a bench tap was refused: ${line}`);
    }
  } finally {
    sock.destroy();
  }
}

/**
 * What Node itself costs here, measured in the same run: a bare process with the service's
 * settings and one worker thread holding better-sqlite3 (as the journal's does). No station can
 * weigh less; the rest of a station's figure is ours.
 */
export async function nodeFloorMb(): Promise<number> {
  const script = `const { Worker } = require("node:worker_threads");
new Worker("require('better-sqlite3'); setInterval(() => {}, 1000)", { eval: true });
setTimeout(() => { process.stdout.write(String(process.memoryUsage().rss)); process.exit(0); }, 1500);`;
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, "-e", script], {
    cwd: ROOT,
    env: { ...process.env, ...SERVICE_ENV },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  await new Promise((res) => proc.once("exit", res));
  return Number(out) / 1048576;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function measureVariant(
  n: number,
  brokerUrl: string,
  args: (config: string) => string[],
  runs: number,
): Promise<{ doorReady: number; stationReady: number; rss: number }> {
  const door: number[] = [];
  const ready: number[] = [];
  let rss = 0;
  // One unmeasured start warms tsx's transform cache and the page cache, as on a station after its first boot.
  for (let i = 0; i <= runs; i++) {
    const dir = await stationDir(n, brokerUrl);
    const l = await launch(args(dir.config));
    if (i > 0) {
      door.push(l.doorReadyMs);
      ready.push(l.stationReadyMs);
    }
    if (i === runs) {
      await exercise(dir, 200);
      rss = rssMb(l.proc.pid ?? 0);
    }
    await stop(l.proc);
  }
  return { doorReady: median(door), stationReady: median(ready), rss };
}

/** Both variants run as a station does in service: bundled JS, no TypeScript loader. */
export async function buildBundles(): Promise<void> {
  const { bundle } = (await import(join(ROOT, "scripts", "build.mjs"))) as {
    bundle: (entry: string, out: string) => Promise<void>;
  };
  await bundle(join(ROOT, "scripts", "cli.ts"), CLI);
  await bundle(join(ROOT, "bench", "child", "memory-store-station.ts"), BASELINE);
}

export async function benchAccessProcess(n: number, runs = 3): Promise<BenchResult[]> {
  await buildBundles();
  const broker = new EmbeddedBroker("127.0.0.1", 0, pino({ level: "silent" }));
  await broker.start();
  try {
    const ours = await measureVariant(
      n,
      broker.url,
      (c) => [...SERVICE_NODE_FLAGS, CLI, "run", "--config", c],
      runs,
    );
    const naive = await measureVariant(n, broker.url, (c) => [...SERVICE_NODE_FLAGS, BASELINE, c], runs);
    const params = { credentials: n };
    return [
      result(
        {
          name: "access.rss",
          metric: "rss_mb",
          value: round(ours.rss, 1),
          unit: "MB",
          params: {
            ...params,
            after: "start + 200 reads",
            store: "sqlite",
            node: `${SERVICE_NODE_FLAGS.join(" ")} ${SERVICE_ENV_TEXT}`,
            threads: "main + journal worker",
          },
          baseline: { name: "same controller, credentials in a JS Map", value: round(naive.rss, 1) },
        },
        { budget: 80 },
      ),
      result(
        {
          name: "access.coldstart",
          metric: "ms",
          value: round(ours.doorReady, 0),
          unit: "ms",
          params: { ...params, until: "door ready", readersReadyMs: round(ours.stationReady, 0), runs },
          baseline: {
            name: "same controller loading the list into a JS Map",
            value: round(naive.doorReady, 0),
          },
        },
        { budget: 1500 },
      ),
    ];
  } finally {
    await broker.stop();
  }
}
