import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StationProcess } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * `waystation run` under a stand-in for systemd's notify socket: READY=1 only after the door is
 * ready, WATCHDOG=1 at half of WATCHDOG_USEC from the event loop (a stopped process stops them),
 * STOPPING=1 on SIGTERM. The messages go through the real systemd-notify.
 */
describe("systemd notify", () => {
  if (!realStackAvailable(daemon("systemd-notify", "systemd"), daemon("python3", "python3"))) return;
  const dir = mkdtempSync(join(tmpdir(), "ws-notify-"));
  const socket = join(dir, "notify.sock");
  let listener: ChildProcess;
  const received: { line: string; at: number }[] = [];
  let station: StationProcess;

  beforeAll(async () => {
    listener = spawn(
      "/usr/bin/python3",
      [resolve(import.meta.dirname, "support", "notify-listener.py"), socket],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let buf = "";
    listener.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      for (const line of parts) received.push({ line, at: Date.now() });
    });
    await waitFor(() => received.some((r) => r.line === "listening"), "listener up");
    const file = writeStationFile(dir, { brokerUrl: `mqtt://127.0.0.1:${await freePort()}` });
    station = new StationProcess(["run", "--config", file], {
      NOTIFY_SOCKET: socket,
      WATCHDOG_USEC: "400000",
    });
  });

  afterAll(() => {
    station?.kill();
    listener?.kill();
  });

  const count = (line: string) => received.filter((r) => r.line === line).length;

  it("READY=1 comes after the door is ready, with a status line", async () => {
    const ready = await waitFor(() => received.find((r) => r.line === "READY=1"), "READY=1", 20_000);
    const logs = station.logs();
    expect(logs.some((l) => l.msg === "door ready")).toBe(true);
    expect(logs.some((l) => l.msg === "station ready")).toBe(true);
    expect(received.some((r) => r.line.startsWith("STATUS=door ready"))).toBe(true);
    expect(ready.at).toBeGreaterThan(0);
  });

  it("pings WATCHDOG=1 at half the watchdog period, and stops when the process is stopped", async () => {
    await waitFor(() => count("WATCHDOG=1") >= 3, "three watchdog pings", 10_000);
    station.proc.kill("SIGSTOP");
    // let a ping already on the wire arrive, then nothing may come while the loop is frozen
    await new Promise((r) => setTimeout(r, 300));
    const frozen = count("WATCHDOG=1");
    await new Promise((r) => setTimeout(r, 1200)); // three periods of 200 ms and more
    expect(count("WATCHDOG=1")).toBe(frozen);
    station.proc.kill("SIGCONT");
    await waitFor(() => count("WATCHDOG=1") >= frozen + 2, "pings again after SIGCONT", 10_000);
  });

  it("says STOPPING=1 on SIGTERM and exits cleanly", async () => {
    station.proc.kill("SIGTERM");
    expect(await station.exit()).toBe(0);
    // sent by a child that may finish just after we exit
    await waitFor(() => count("STOPPING=1") === 1, "STOPPING=1");
  });
});
