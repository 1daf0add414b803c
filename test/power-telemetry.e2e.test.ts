import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BootedStation } from "../scripts/boot.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { bootPowerStation, letIn, runCommand } from "./support/power-station.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The outlets' power and energy reach the central server: a station with the demo's outlets on a
 * paced simulated bus, a real Mosquitto, and a subscriber reading what the fleet would read.
 */
describe("power telemetry through a real Mosquitto", { timeout: 90_000 }, () => {
  if (!realStackAvailable(mosquittoDaemon)) return;
  const broker = new Mosquitto();
  let booted: BootedStation;
  let sub: MqttCapture;

  beforeAll(async () => {
    await broker.start();
    sub = new MqttCapture(broker.url, "waystation/v1/power-test/#", 5);
    await sub.start();
    const started = await bootPowerStation(undefined, "", undefined, (yaml) =>
      yaml.replace(
        /mqtt: \{ url: "[^"]+",/,
        `mqtt: { url: "${broker.url}", telemetry: { heartbeatS: 1, minIntervalMs: 200 },`,
      ),
    );
    booted = started.booted;
  });

  afterAll(async () => {
    await booted?.stop();
    await sub?.stop();
    await broker.stop();
  });

  it("a session's power, energy and state change arrive as telemetry, and its events as events", async () => {
    const tele = () => sub.messages.filter((m) => m.topic.endsWith("/telemetry"));
    // connected and reporting, every outlet idle
    const first = await waitFor(() => tele()[0], "the first telemetry", 20_000);
    expect(Object.keys(first.json.outlets as object)).toEqual(["phone-1", "phone-2", "ebike-1", "ebike-2"]);
    letIn(booted);
    booted.powerSim?.control.plug("ebike-1", "ebike", 20);
    expect(await runCommand(booted, "outlet", { outlet: "ebike-1", action: "start" })).toEqual({
      status: "ok",
    });
    type Outlets = Record<string, { state: string; powerW: number; energyWh: number; sessionWh?: number }>;
    // the state change is reported at once, then the meter's power within a heartbeat
    const changed = await waitFor(
      () => tele().find((m) => (m.json.changed as string[] | undefined)?.includes("outlets.state")),
      "a telemetry message for the outlet's change",
      20_000,
    );
    expect((changed.json.outlets as Outlets)["ebike-1"]?.state).toBe("charging");
    const powered = await waitFor(
      () => tele().find((m) => ((m.json.outlets as Outlets | undefined)?.["ebike-1"]?.powerW ?? 0) > 100),
      "the charger's power in telemetry",
      20_000,
    );
    expect((powered.json.outlets as Outlets)["ebike-1"]).toMatchObject({
      state: "charging",
      sessionWh: expect.any(Number),
    });
    expect(await runCommand(booted, "outlet", { outlet: "ebike-1", action: "stop" })).toEqual({
      status: "ok",
    });
    const events = () => sub.messages.filter((m) => m.topic.endsWith("/events")).map((m) => m.json);
    await waitFor(
      () => events().find((e) => e.type === "outlet.session-ended"),
      "the session's end as an event",
      20_000,
    );
    expect(events().find((e) => e.type === "outlet.session-started")).toMatchObject({
      outlet: "ebike-1",
      personId: "p1",
    });
    const state = await waitFor(
      () => sub.messages.filter((m) => m.topic.endsWith("/state")).at(-1),
      "the retained state",
    );
    expect((state.json.outlets as Outlets | undefined)?.["ebike-1"]).toBeDefined();
  });
});
