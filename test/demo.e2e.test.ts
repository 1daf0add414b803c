import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommissioningReport } from "../controller/control/selftest.ts";
import { DEMO_KNOWN_CARD, DEMO_UNKNOWN_CARD, type Demo, demoBanner, startDemo } from "../scripts/demo.ts";
import { sendSimCommand } from "../simulator/control-http.ts";
import { captureLogger } from "./support/capture-log.ts";
import { runCli } from "./support/child.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The demo booted in-process, as `npm start` boots it (embedded broker, simulated station,
 * console), watched by a real MQTT subscriber through the broker.
 */
describe("the demo, end to end", () => {
  const { logger, lines } = captureLogger("debug");
  let demo: Demo;
  let sub: MqttCapture;
  let consoleUrl: string;

  beforeAll(async () => {
    demo = await startDemo({
      logger,
      brokerPort: 0,
      consolePort: 0,
      dataDir: mkdtempSync(join(tmpdir(), "ws-demo-")),
      swingShutMs: 300,
    });
    consoleUrl = demo.consoleUrl ?? "";
    sub = new MqttCapture(demo.brokerUrl, "waystation/v1/#");
    await sub.start();
    // The face process loads and the demo enrols its worker's face (a seventh credential) before
    // the tests, whose event sequences would otherwise see face.service-up or face.enrolled.
    await waitFor(
      () =>
        demo.booted.station.state().credentials.count === 7 &&
        demo.booted.station.state().face?.templates === 1,
      "the demo worker's face enrolled, and the face process's health saying so",
      120_000,
      50,
    );
  }, 150_000);

  afterAll(async () => {
    await sub?.stop();
    await demo?.stop();
  });

  it("publishes a retained online status and a retained state", async () => {
    // Settled: the reader is online (a PC/SC reader attaches just after boot) and the state says so.
    await waitFor(
      () =>
        (sub.last("/state")?.json.readers as Record<string, { status: string }> | undefined)?.entry
          ?.status === "online",
      "state with the reader online",
      10_000,
    );
    // A subscriber arriving later gets both from the broker's retained store.
    const late = new MqttCapture(demo.brokerUrl, "waystation/v1/+/+");
    await late.start();
    try {
      const status = await waitFor(() => late.last("/status"), "retained status");
      expect(status.topic).toBe("waystation/v1/demo-station/status");
      expect(status.retain).toBe(true);
      expect(status.json).toMatchObject({
        online: true,
        stationId: "demo-station",
        bootId: demo.booted.station.bootId,
      });
      // the first state it gets is the retained one; live ones follow (the meters' counters
      // re-publish state several times a second)
      const state = await waitFor(
        () => late.messages.find((m) => m.topic.endsWith("/state")),
        "retained state",
      );
      expect(state.retain).toBe(true);
      expect(state.json).toMatchObject({
        door: { lock: "locked", leaf: "closed" },
        credentials: { count: 7 },
      });
    } finally {
      await late.stop();
    }
  });

  it("the known card: access.granted, then unlock, the door opens, closes and relocks", async () => {
    const from = sub.events().length;
    await sendSimCommand(consoleUrl, "tap", { uid: DEMO_KNOWN_CARD });
    const granted = await sub.waitForEvent("access.granted", from);
    expect(granted).toMatchObject({
      readerId: "entry",
      reason: "granted",
      personId: "demo-worker",
      format: "uid-4",
    });
    await sub.waitForEvent("door.unlocked", from);
    expect(await sendSimCommand(consoleUrl, "push-door")).toEqual({ opened: true });
    await sub.waitForEvent("door.opened", from);
    await sub.waitForEvent("door.closed", from);
    const locked = await sub.waitForEvent("door.locked", from);
    expect(locked.reason).toBe("closed");
    expect(sub.eventTypes().slice(from)).toEqual([
      "access.granted",
      "door.unlocked",
      "door.opened",
      "door.closed",
      "door.locked",
    ]);
  });

  it("the unknown card: access.denied and the door stays locked", async () => {
    const from = sub.events().length;
    await sendSimCommand(consoleUrl, "tap", { uid: DEMO_UNKNOWN_CARD });
    const denied = await sub.waitForEvent("access.denied", from);
    expect(denied.reason).toBe("unknown");
    expect(await sendSimCommand(consoleUrl, "push-door")).toEqual({ opened: false });
    expect(demo.booted.station.entrance.door.snapshot().lock).toBe("locked");
    expect(demo.booted.sim?.door.physics().lockEngaged).toBe(true);
    // The state published after the denial comes after anything the denial could have caused
    // (one client, QoS 1, in order), so an unlock would be in the capture by then.
    const state = await waitFor(() => {
      const s = sub.last("/state")?.json as
        | { events: { lastSeq: number }; door: { lock: string } }
        | undefined;
      return s && s.events.lastSeq >= Number(denied.seq) ? s : undefined;
    }, "the state after the denial");
    expect(state.door.lock).toBe("locked");
    expect(sub.eventTypes().slice(from)).toEqual(["access.denied"]);
  });

  it("every event has a unique id and consecutive seq within the boot", () => {
    const events = sub.events();
    const ids = new Set(events.map((e) => e.id));
    expect(ids.size).toBe(events.length);
    const seqs = events.map((e) => Number(e.seq));
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 1) + i));
    for (const e of events) expect(e.bootId).toBe(demo.booted.station.bootId);
  });

  it("the demo worker's face: access.granted by face, the door unlocks", async () => {
    const from = sub.events().length;
    await sendSimCommand(consoleUrl, "face", { who: "man.turning" });
    const granted = await sub.waitForEvent("access.granted", from, 60_000);
    expect(granted).toMatchObject({ personId: "demo-worker", method: "face", readerId: "face" });
    await sub.waitForEvent("door.unlocked", from);
    // nobody pushed the door: it relocks when the unlock time is up
    await sub.waitForEvent("door.locked", from, 15_000);
  });

  it("an unattended selftest passes on the demo station, the face path included", async () => {
    const r = await demo.booted.station.router.runLocal("selftest", { attended: false }, "cli");
    const report = (r.data as { report: CommissioningReport }).report;
    expect(report.items.filter((i) => !i.ok).map((i) => `${i.id}: ${i.detail}`)).toEqual([]);
    expect(report.items.find((i) => i.id === "face.frame")).toMatchObject({ ok: true });
    expect(r.status).toBe("ok");
  }, 120_000);

  it("the exit button unlocks from inside", async () => {
    const from = sub.events().length;
    await sendSimCommand(consoleUrl, "exit-button");
    await sub.waitForEvent("exit.requested", from);
    const unlocked = await sub.waitForEvent("door.unlocked", from);
    expect(unlocked.reason).toBe("exit");
  });

  it("the other demo cards show their reasons: blocked, expired, a technician", async () => {
    const decisions: string[] = [];
    // One card at a time: on the PC/SC path a card takes a polling cycle to be read.
    for (const uid of ["04B10C4D", "04E4A1ED", "04C0FFEE"]) {
      const from = sub.events().length;
      await sendSimCommand(consoleUrl, "tap", { uid });
      const d = await waitFor(
        () =>
          sub
            .events()
            .slice(from)
            .find((e) => String(e.type).startsWith("access.")),
        `the decision for ${uid}`,
        10_000,
      );
      decisions.push(`${d.type}:${d.reason}`);
    }
    expect(decisions).toEqual(["access.denied:blocked", "access.denied:expired", "access.granted:granted"]);
  });

  it("the console serves the page, the state and a live stream, after a login", async () => {
    expect((await fetch(`${consoleUrl}/api/state`)).status).toBe(401);
    const login = await fetch(`${consoleUrl}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: demo.consoleLogin.user, password: demo.consoleLogin.password }),
    });
    expect(login.status).toBe(200);
    const headers = { cookie: (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "" };
    const page = await (await fetch(consoleUrl, { headers })).text();
    expect(page).toContain("Waystation");
    expect(page).toContain("act as a person");
    expect(page).toContain("Show the demo worker's face");
    expect(page).toContain('id="face"');
    const state = (await (await fetch(`${consoleUrl}/api/state`, { headers })).json()) as {
      stationId: string;
    };
    expect(state.stationId).toBe("demo-station");
    const res = await fetch(`${consoleUrl}/api/stream`, { headers });
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain("event: state");
    await reader?.cancel();
  });

  it("moved by --data-dir and ports, it writes the station file it runs, and the CLI follows it", async () => {
    expect(demo.stationFile).toBe(join(demo.config.dataDir, "station.yaml"));
    expect(demoBanner(demo)).toContain(`sim tap ${DEMO_KNOWN_CARD} --config ${demo.stationFile}`);
    const config = ["--config", demo.stationFile, "--json"];
    const count = await runCli(["credentials", "count", ...config]);
    expect(count.code, count.stderr).toBe(0);
    expect(JSON.parse(count.stdout)).toEqual({ ok: true, credentials: 7 });
    const events = await runCli(["events", "-n", "1", ...config]);
    expect(events.code, events.stderr).toBe(0);
    expect(JSON.parse(events.stdout)).toMatchObject({ stationId: demo.config.station.id });
    const state = await runCli(["sim", "state", ...config]);
    expect(state.code, state.stderr).toBe(0);
    const doctor = await runCli(["doctor", ...config]);
    const broker = (JSON.parse(doctor.stdout) as { checks: { id: string; ok: boolean }[] }).checks.find(
      (c) => c.id === "broker",
    );
    expect(broker, doctor.stdout).toMatchObject({ ok: true });
  }, 60_000);

  it("a bad simulator command is a clear error, not a crash", async () => {
    await expect(sendSimCommand(consoleUrl, "tap", { uid: "zz" })).rejects.toThrow(/4, 7 or 10 bytes/);
    await expect(sendSimCommand(consoleUrl, "dance")).rejects.toThrow(/unknown simulator command/);
  });

  it("no card UID appears in the log output or in any published message", () => {
    const needles = [DEMO_KNOWN_CARD, DEMO_UNKNOWN_CARD].flatMap((u) => [u, u.toLowerCase()]);
    const published = sub.messages.map((m) => m.payload);
    for (const text of [...lines, ...published]) for (const n of needles) expect(text).not.toContain(n);
    expect(lines.length).toBeGreaterThan(10);
  });
});
