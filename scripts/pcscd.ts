import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StationError } from "../config/errors.ts";
import { findExecutable } from "./executables.ts";

/**
 * pcscd with the vsmartcard vpcd reader driver, for the simulator, the demo and the tests.
 *
 * pcsc-lite 1.9 puts its socket at the compiled-in /run/pcscd/pcscd.comm and ignores
 * PCSCLITE_CSOCK_NAME (only the client library reads it). A private pcscd therefore runs in its
 * own mount namespace with a temp dir bound over /run/pcscd: the socket appears in the temp dir,
 * where our client finds it through PCSCLITE_CSOCK_NAME, and a system pcscd is left alone.
 */
export const PCSCD_INSTALL = "sudo apt-get install -y pcscd vsmartcard-vpcd";

const VPCD_DRIVERS = [
  "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
  "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
  "/usr/lib64/pcsc/drivers/serial/libifdvpcd.so",
];

function readable(p: string): boolean {
  try {
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export interface PcscdTools {
  readonly pcscd: string;
  readonly vpcdDriver: string;
  readonly unshare: string;
  readonly setpriv: string | undefined;
}

/** What a private pcscd needs, or why it cannot run here. */
export function findPcscdTools(): { ok: true; tools: PcscdTools } | { ok: false; reason: string } {
  const pcscd = findExecutable("pcscd");
  const vpcdDriver = VPCD_DRIVERS.find(readable);
  const unshare = findExecutable("unshare");
  if (!pcscd || !vpcdDriver) {
    const missing = [!pcscd && "pcscd", !vpcdDriver && "vsmartcard-vpcd"].filter(Boolean).join(" and ");
    return { ok: false, reason: `${missing} not installed (${PCSCD_INSTALL})` };
  }
  if (!unshare) return { ok: false, reason: "unshare (util-linux) not found" };
  // The private pcscd needs a mount namespace of its own: root, or unprivileged user namespaces.
  const probe = spawnSync(unshare, [process.getuid?.() === 0 ? "-m" : "-rm", "true"], { stdio: "ignore" });
  if (probe.status !== 0) {
    return {
      ok: false,
      reason:
        "a private pcscd needs root or unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)",
    };
  }
  return { ok: true, tools: { pcscd, vpcdDriver, unshare, setpriv: findExecutable("setpriv") } };
}

/** The vpcd reader configured for the system's pcscd in /etc/reader.conf.d, if any. */
export function systemVpcdReader(
  confDir = "/etc/reader.conf.d",
): { friendlyName: string; port: number } | undefined {
  let files: string[];
  try {
    files = readdirSync(confDir);
  } catch {
    return undefined;
  }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(join(confDir, f), "utf8");
    } catch {
      continue;
    }
    const parsed = parseVpcdConf(text);
    if (parsed) return parsed;
  }
  return undefined;
}

/** FRIENDLYNAME and port of a reader.conf entry for libifdvpcd (`DEVICENAME /dev/null:0x8C7B`). */
export function parseVpcdConf(text: string): { friendlyName: string; port: number } | undefined {
  const live = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  if (!live.some((l) => /^LIBPATH\s+\S*libifdvpcd/.test(l))) return undefined;
  const name = live.find((l) => l.startsWith("FRIENDLYNAME"))?.match(/^FRIENDLYNAME\s+"?([^"]+)"?/)?.[1];
  const device = live.find((l) => l.startsWith("DEVICENAME"))?.match(/:(0x[0-9a-fA-F]+|\d+)\s*$/)?.[1];
  if (!name || !device) return undefined;
  const port = Number(device);
  return Number.isInteger(port) && port > 0 && port < 65536 ? { friendlyName: name.trim(), port } : undefined;
}

/** Accepts connections? (pcscd's Unix socket or vpcd's TCP port.) */
export function reachable(
  target: string | { host: string; port: number },
  timeoutMs = 500,
): Promise<boolean> {
  return new Promise((resolve) => {
    const s = typeof target === "string" ? connect(target) : connect(target.port, target.host);
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), timeoutMs);
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "0.0.0.0", () => s.close(() => resolve(true)));
  });
}

/** Two free consecutive ports: vpcd opens one per virtual reader ("... 00 00" and "... 00 01"). */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await freePort();
    if (p < 65535 && (await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new StationError("SIM_PCSCD_UNAVAILABLE", "sim", "no two free consecutive TCP ports for vpcd");
}

export const VPCD_FRIENDLY_NAME = "Virtual PCD";

/** A pcscd of our own: its own config, socket and vpcd ports; dies with this process. */
export class PrivatePcscd {
  readonly dir: string;
  readonly socketPath: string;
  /** TCP port of "Virtual PCD 00 00"; the next one serves "Virtual PCD 00 01" */
  port = 0;
  output = "";
  private proc: ChildProcess | undefined;

  /**
   * `dir` holds its config and socket (default: a fresh temp dir). libpcsclite keeps the first
   * socket path a process uses, so a process that restarts its private pcscd keeps the dir.
   */
  constructor(
    private readonly tools: PcscdTools,
    private readonly opts: { debug?: boolean; dir?: string } = {},
  ) {
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), "ws-pcscd-"));
    mkdirSync(this.dir, { recursive: true });
    this.socketPath = join(this.dir, "run", "pcscd.comm");
  }

  /** The reader names pcscd gives the two vpcd slots, and the port a card connects to for each. */
  readers(): { name: string; port: number }[] {
    return [0, 1].map((i) => ({ name: `${VPCD_FRIENDLY_NAME} 00 0${i}`, port: this.port + i }));
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    if (this.port === 0) this.port = await freePortPair();
    const run = join(this.dir, "run");
    const conf = join(this.dir, "reader.conf.d");
    mkdirSync(run, { recursive: true });
    mkdirSync(conf, { recursive: true });
    const hex = `0x${this.port.toString(16).toUpperCase()}`;
    writeFileSync(
      join(conf, "vpcd"),
      [
        `FRIENDLYNAME "${VPCD_FRIENDLY_NAME}"`,
        `DEVICENAME   /dev/null:${hex}`,
        `LIBPATH      ${this.tools.vpcdDriver}`,
        `CHANNELID    ${hex}`,
        "",
      ].join("\n"),
    );
    const root = process.getuid?.() === 0;
    const script = 'mkdir -p /run/pcscd && mount --bind "$0" /run/pcscd && exec "$1" -f $3 -c "$2"';
    const inner = ["sh", "-c", script, run, this.tools.pcscd, conf, this.opts.debug ? "-d" : ""];
    // pcscd must not outlive us, even when we are killed outright.
    const guarded = this.tools.setpriv ? [this.tools.setpriv, "--pdeathsig", "TERM", ...inner] : inner;
    const args = [root ? "-m" : "-rm", ...guarded];
    const proc = spawn(this.tools.unshare, args, { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString("utf8")).slice(-20_000);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    this.proc = proc;
    const exited = new Promise<number | null>((resolve) => proc.once("exit", resolve));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) break;
      if ((await reachable(this.socketPath)) && (await reachable({ host: "127.0.0.1", port: this.port })))
        return;
      if (Date.now() > deadline) break;
      await Promise.race([exited, new Promise((r) => setTimeout(r, 50))]);
    }
    await this.stop();
    throw new StationError("SIM_PCSCD_UNAVAILABLE", "sim", "a private pcscd did not start", {
      hint: root
        ? `pcscd said: ${this.output.trim().split("\n").slice(-3).join(" | ") || "nothing"}`
        : "it needs root or unprivileged user namespaces (unshare -rm) to get its own /run/pcscd",
    });
  }

  /** Stops pcscd (SIGTERM, then SIGKILL); `crash` kills it outright, as a crash would. */
  async stop(opts: { crash?: boolean } = {}): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => proc.kill("SIGKILL"), 3000);
      proc.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      proc.kill(opts.crash ? "SIGKILL" : "SIGTERM");
    });
  }

  /** Stops and removes its files. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
