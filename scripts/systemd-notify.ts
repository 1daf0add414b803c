import { spawn } from "node:child_process";
import type { Logger } from "pino";

/** The longest one notification may take before it is given up on (systemd answers in ms). */
const SEND_TIMEOUT_MS = 5000;

export type NotifySender = (message: readonly string[], env: NodeJS.ProcessEnv) => Promise<void>;

/**
 * Sends with `systemd-notify`: Node has no unix datagram sockets, and the alternatives are a
 * native addon (sd-notify needs libsystemd-dev to build) or this (~15 ms of a child process per
 * message; measured in docs/design-notes.md). Without --no-block, systemd-notify waits on a
 * barrier until systemd has read the message, so systemd can still attribute it to the service
 * while the sender lives (NotifyAccess=all in the unit, as the sender is our child).
 */
export const systemdNotifySender: NotifySender = (message, env) =>
  new Promise((resolve, reject) => {
    const child = spawn("systemd-notify", [...message], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), SEND_TIMEOUT_MS);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(`systemd-notify ${message.join(" ")}: ${signal ?? `exit ${code}`} ${stderr.trim()}`),
        );
    });
  });

/**
 * Readiness and watchdog for a service run by systemd (`Type=notify`, `WatchdogSec=`): nothing at
 * all when NOTIFY_SOCKET is not set. The watchdog pings come from a timer on the event loop, so a
 * loop that hangs stops them and systemd restarts the service (ExecStopPost puts the lock safe).
 */
export class SystemdNotifier {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private broken = false;
  /** watchdog pings sent and skipped (the previous one still in flight) */
  readonly counters = { pings: 0, skipped: 0, failures: 0 };
  readonly intervalMs: number | undefined;

  constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly send: NotifySender = systemdNotifySender,
    pid = process.pid,
  ) {
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === pid;
    // Ping at half the watchdog period, as sd_watchdog_enabled(3) advises.
    this.intervalMs = this.enabled && forUs && usec > 0 ? Math.max(50, Math.floor(usec / 2000)) : undefined;
  }

  get enabled(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  /** The door is in its configured state and the station serves: tell systemd, start pinging. */
  async ready(status: string): Promise<void> {
    if (!this.enabled) return;
    await this.notify(["--ready", `--status=${status}`]);
    if (this.intervalMs !== undefined) {
      this.log.info({ intervalMs: this.intervalMs }, "systemd watchdog: pinging");
      this.timer = setInterval(() => this.ping(), this.intervalMs);
      this.timer.unref();
    }
  }

  async stopping(): Promise<void> {
    this.stop();
    if (this.enabled) await this.notify(["STOPPING=1"]).catch(() => undefined);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private ping(): void {
    if (this.inFlight) {
      this.counters.skipped++;
      return;
    }
    this.counters.pings++;
    void this.notify(["WATCHDOG=1"]);
  }

  private async notify(message: string[]): Promise<void> {
    if (this.broken) return;
    this.inFlight = true;
    try {
      await this.send(message, this.env);
    } catch (err) {
      this.counters.failures++;
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        this.broken = true;
        this.log.error(
          "systemd-notify is missing: systemd will not see this service ready (install systemd)",
        );
      } else {
        this.log.warn({ err: String(err), message: message[0] }, "systemd notification failed");
      }
    } finally {
      this.inFlight = false;
    }
  }
}
