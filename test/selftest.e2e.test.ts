import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import type { CommissioningReport } from "../controller/control/selftest.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { sendControl } from "../scripts/control-client.ts";
import { captureLogger } from "./support/capture-log.ts";
import { CLI, runCli } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";

/**
 * `selftest` on the simulated station, through the control socket: passing when the technician
 * opens the door when asked, failing when the simulator breaks the door contact (stuck closed:
 * the leaf moves but the contact never answers; cut: it reads open with the door shut).
 */
describe("selftest", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-selftest-"));
  let file: string;
  let booted: BootedStation;
  let socket: string;
  const events: StationEvent[] = [];

  beforeAll(async () => {
    file = writeStationFile(dir, { brokerUrl: `mqtt://127.0.0.1:${await freePort()}` });
    writeFileSync(
      file,
      readFileSync(file, "utf8")
        .replace("door: { lockMode: fail-secure }", "door: { lockMode: fail-secure, unlockMs: 1500 }")
        .replace("exitButton: { pin: 22 } }", "exitButton: { pin: 22 }, fireAlarm: { pin: 5 } }"),
    );
    const config = loadConfigFile(file);
    booted = await bootStation({ config, logger: captureLogger("warn").logger, swingShutMs: 300 });
    booted.station.bus.subscribe((e) => events.push(e));
    socket = join(config.dataDir, "run", "control.sock");
  });

  afterAll(async () => {
    await booted?.stop();
  });

  afterEach(async () => {
    await sendControl(socket, "sim.contact", { fault: "ok" });
  });

  /** Run an attended selftest; the "technician" pushes the door whenever asked to open it. */
  async function attended(): Promise<{ report: CommissioningReport; progress: string[]; file: string }> {
    const progress: string[] = [];
    const reply = await sendControl(socket, "selftest", { attended: true }, (line) => {
      progress.push(line);
      if (line.includes("open the door now")) void sendControl(socket, "sim.push-door", {});
    });
    const data = reply.data as { report: CommissioningReport; file: string };
    expect(reply.code).toBe(data.report.ok ? "PASSED" : "SELFTEST_FAILED");
    return { ...data, progress };
  }

  it("passes on the simulator: the lock pulses, the contact answers, the reader blinks and beeps", async () => {
    const from = events.length;
    const { report, progress, file: rel } = await attended();
    expect(report.items.map((i) => [i.id, i.ok])).toEqual([
      ["entrance.inputs", true],
      ["entrance.door-contact", true],
      ["entrance.lock-pulse", true],
      ["entrance.reader.entry", true],
    ]);
    expect(report.ok).toBe(true);
    const inputs = report.items[0]?.detail;
    expect(inputs).toBe("door contact: closed · exit button: released · fire alarm: quiet");
    expect(report.items[2]?.detail).toContain("the door contact answered: open, then closed");
    // progress streamed as lines while it ran
    expect(progress[0]).toBe("[1/4] input levels ...");
    expect(progress.some((l) => l.includes("PASS: relay energised"))).toBe(true);
    // the reader really was signalled
    const sim = (await sendControl(socket, "sim.state", {})).data as { readers: { lastSignals: string[] }[] };
    expect(sim.readers[0]?.lastSignals).toContain("grant");
    // the report kept in the data dir, JSON and text, and sent as an event
    const dataDir = loadConfigFile(file).dataDir;
    expect(JSON.parse(readFileSync(join(dataDir, rel), "utf8"))).toEqual(report);
    expect(readFileSync(join(dataDir, rel.replace(/\.json$/, ".txt")), "utf8")).toContain("PASSED: 4 passed");
    const types = events.slice(from).map((e) => e.type);
    expect(types[0]).toBe("selftest.started");
    expect(types).toContain("door.unlocked");
    const done = events.slice(from).find((e) => e.type === "selftest.completed");
    expect(done).toMatchObject({ reportId: report.reportId, ok: true, passed: 4, failed: 0, file: rel });
    expect(booted.station.entrance.door.snapshot().lock).toBe("locked");
  }, 60_000);

  it("fails when the door contact is stuck closed: the leaf moved but the contact never answered", async () => {
    await sendControl(socket, "sim.contact", { fault: "stuck-closed" });
    const { report } = await attended();
    expect(report.ok).toBe(false);
    const pulse = report.items.find((i) => i.id === "entrance.lock-pulse");
    expect(pulse).toMatchObject({ ok: false });
    expect(pulse?.detail).toContain("the door contact did not change");
    expect(pulse?.hint).toContain("stuck closed");
    expect(report.items.find((i) => i.id === "entrance.door-contact")?.ok).toBe(true);
    expect(booted.station.entrance.door.snapshot().lock).toBe("locked");
  }, 60_000);

  it("fails from the CLI when the contact's wire is cut, exit 1, with the fix", async () => {
    await sendControl(socket, "sim.contact", { fault: "cut" });
    const r = await runCli(["selftest", "--config", file, "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as CommissioningReport;
    expect(report.ok).toBe(false);
    const contact = report.items.find((i) => i.id === "entrance.door-contact");
    expect(contact).toMatchObject({ ok: false, detail: "the door contact reads open" });
    expect(contact?.hint).toContain("a cut normally-closed loop reads open");
    expect(r.stderr).toContain("[2/4] door contact reads closed ...");
  }, 60_000);

  it("unattended from the CLI: passes, prints progress and the readable report, and says what it did not watch", async () => {
    const r = await runCli(["selftest", "--config", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[3/4] lock pulse and door contact answer ...");
    expect(r.stdout).toContain("the door contact was not watched: run selftest --attended");
    expect(r.stdout).toMatch(/PASSED: 4 passed, 0 failed, 0 skipped/);
    expect(r.stdout).toMatch(/report kept in the data directory: commissioning\/selftest-.*\.json/);
    expect(existsSync(join(loadConfigFile(file).dataDir, "commissioning"))).toBe(true);
  }, 60_000);

  it.skipIf(spawnSync("script", ["--version"]).status !== 0 && !process.env.WAYSTATION_REQUIRE_REAL_STACK)(
    "on a terminal (a pty from script): the steps drive a bar, the verdicts print above it",
    async () => {
      const cmd = [process.execPath, CLI, "selftest", "--config", file].map((w) => `'${w}'`).join(" ");
      // not execFileSync: the station answering the selftest runs in this process
      const { stdout: out } = await promisify(execFile)("script", ["-qec", cmd, "/dev/null"], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(out).toContain("\rselftest [........................] 0/4 input levels");
      expect(out).toContain("\rselftest [########################] 4/4");
      expect(out).toContain("\r\u001b[K      PASS: ");
      // the step lines themselves are the bar's, not printed as lines
      expect(out).not.toContain("[1/4] input levels ...");
      expect(out).toMatch(/PASSED: 4 passed, 0 failed, 0 skipped/);
    },
    60_000,
  );
});
