import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStationError } from "../config/errors.ts";
import { loadConfigFile } from "../config/load.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { sendControl } from "../scripts/control-client.ts";
import { captureLogger } from "./support/capture-log.ts";
import { runCli } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The local control socket, through the real socket: the CLI's `sim` and `door fire-reset` reach
 * a station whose console is off, every request is audited with the local principal, and a
 * second station on the same file is refused before it touches anything.
 */
const KNOWN = "04A1B2C3";

describe("control socket", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-ctl-"));
  let file: string;
  let booted: BootedStation;
  let socket: string;
  const events: StationEvent[] = [];

  beforeAll(async () => {
    file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      allowUid: KNOWN,
    });
    // The fire input must be wired for fire-reset to mean something.
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "exitButton: { pin: 22 } }",
        "exitButton: { pin: 22 }, fireAlarm: { pin: 5 } }",
      ),
    );
    const config = loadConfigFile(file);
    booted = await bootStation({
      config,
      logger: captureLogger("warn").logger,
      swingShutMs: 200,
      tapAnswerMs: 1500,
    });
    booted.station.bus.subscribe((e) => events.push(e));
    socket = join(config.dataDir, "run", "control.sock");
  });

  afterAll(async () => {
    await booted?.stop();
  });

  it("listens inside the data dir of a simulated station, mode 0660, with the console off", () => {
    expect(booted.station.console).toBeUndefined();
    const st = statSync(socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
  });

  it("`sim tap` through the CLI says what the station decided, and is audited as local:cli", async () => {
    const from = events.length;
    const r = await runCli(["sim", "tap", KNOWN, "--config", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ event: "access.granted", reader: "entry", personId: "p1" });
    const denied = await runCli(["sim", "tap", "DEADBEEF", "--config", file]);
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout)).toMatchObject({ event: "access.denied", reason: "unknown" });
    const audits = events.slice(from).filter((e) => e.type === "cmd.executed");
    expect(audits.map((e) => [e.name, e.principal, e.status])).toEqual([
      ["sim.tap", "local:cli", "ok"],
      ["sim.tap", "local:cli", "ok"],
    ]);
  });

  it("a tap the station never reads is an error, not `tapped: true`", async () => {
    // the same card again at once: the reader's re-read suppression swallows it, nothing is decided
    await sendControl(socket, "sim.tap", { uid: "04CAFE01" });
    const again = await sendControl(socket, "sim.tap", { uid: "04CAFE01" });
    expect(again).toMatchObject({ status: "error", code: "NOTHING_READ", data: { reader: "entry" } });
    // a 4-byte UID on a reader that does not exist: refused by the simulator, reported as such
    const r = await runCli(["sim", "tap", KNOWN, "--reader", "nowhere", "--config", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no reader "nowhere"');
  });

  it("`door fire-reset` over the socket: refused while the panel signals, done after", async () => {
    await sendControl(socket, "sim.fire-alarm", { active: "on" });
    await waitFor(() => booted.station.entrance.door.snapshot().fire === "active", "fire active");
    const refused = await runCli(["door", "fire-reset", "--config", file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("reset the panel first");
    await sendControl(socket, "sim.fire-alarm", { active: "off" });
    await waitFor(() => booted.station.entrance.door.snapshot().fire === "latched", "fire latched");
    const reset = await runCli(["door", "fire-reset", "--config", file]);
    expect(reset.code).toBe(0);
    expect(booted.station.entrance.door.snapshot().fire).toBe("off");
  });

  it("refuses unknown commands, bad arguments and bad JSON with codes, audited as cmd.rejected", async () => {
    const from = events.length;
    expect(await sendControl(socket, "no-such", {})).toMatchObject({
      status: "error",
      code: "UNKNOWN_COMMAND",
    });
    expect(await sendControl(socket, "sim.jam", { kind: "window" })).toMatchObject({ code: "BAD_ARGS" });
    const raw = await new Promise<string>((resolve) => {
      const s = connect(socket);
      let got = "";
      s.on("data", (d) => {
        got += d;
        if (got.includes("\n")) {
          s.destroy();
          resolve(got);
        }
      });
      s.write("this is not json\n");
    });
    expect(JSON.parse(raw)).toMatchObject({ status: "error", code: "BAD_REQUEST" });
    const rejected = events.slice(from).filter((e) => e.type === "cmd.rejected");
    expect(rejected.map((e) => [e.code, e.source, e.principal])).toEqual([
      ["UNKNOWN_COMMAND", "local", "local:cli"],
      ["BAD_ARGS", "local", "local:cli"],
      ["BAD_REQUEST", "local", "local:cli"],
    ]);
  });

  it("a second station on the same file is refused before it touches the lock", async () => {
    const writes = booted.sim?.door.physics();
    const err = await bootStation({
      config: loadConfigFile(file),
      logger: captureLogger("silent").logger,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStationError(err, "CONTROL_SOCKET_IN_USE")).toBe(true);
    expect((err as Error).message).toBe(`a station is already running on ${socket}`);
    // the first one still answers
    expect(await sendControl(socket, "status", {})).toMatchObject({ status: "ok" });
    expect(booted.sim?.door.physics()).toEqual(writes);
  });

  it("with no station running the CLI says so, with the socket and a hint", async () => {
    const other = writeStationFile(join(dir, "other"), { brokerUrl: "mqtt://127.0.0.1:1" });
    const r = await runCli(["sim", "push-door", "--config", other]);
    expect(r.code).toBe(3); // EXIT.unreachable
    expect(r.stderr).toContain("no station answers on");
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("control socket left by a dead station", () => {
  it("is removed and taken over", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-ctl-stale-"));
    const file = writeStationFile(dir, { brokerUrl: `mqtt://127.0.0.1:${await freePort()}` });
    const config = loadConfigFile(file);
    const path = join(config.dataDir, "run", "control.sock");
    mkdirSync(join(config.dataDir, "run"), { recursive: true, mode: 0o700 });
    // a process that bound the socket and died: the file stays, nothing listens
    execFileSync("/usr/bin/python3", [
      "-c",
      `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`,
    ]);
    expect(statSync(path).isSocket()).toBe(true);
    const booted = await bootStation({ config, logger: captureLogger("silent").logger });
    try {
      expect(await sendControl(path, "status", {})).toMatchObject({ status: "ok" });
    } finally {
      await booted.stop();
    }
  });
});

describe("a control socket that cannot be created", () => {
  it("costs the CLI, never the door: the station starts and says why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-ctl-bad-"));
    const file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      // a regular file where the socket's directory should be
      extra: `control: { socket: ${join(dir, "station.yaml", "control.sock")} }`,
    });
    const { logger, lines } = captureLogger("error");
    const booted = await bootStation({ config: loadConfigFile(file), logger });
    try {
      expect(booted.station.entrance.door.snapshot().lock).toBe("locked");
      const line = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.code === "CONTROL_SOCKET_PATH");
      expect(line?.msg).toBe("control socket unavailable: the station runs, but the CLI cannot reach it");
    } finally {
      await booted.stop();
    }
  });
});
