import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TelemetrySchema } from "../controller/contract/telemetry.ts";
import type { BootedStation } from "../scripts/boot.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { type Captured, MqttCapture } from "./support/mqtt-capture.ts";
import { bootOccupancyStation, sensorHealth } from "./support/occupancy-station.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { waitFor } from "./support/wait.ts";

/**
 * Occupancy in the telemetry a central server receives from a real Mosquitto: the figure and each
 * sensor's health in every heartbeat, and a report by exception as soon as someone walks in or a
 * sensor fails.
 */
describe("occupancy in telemetry, through a real Mosquitto", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const broker = new Mosquitto();
  let booted: BootedStation;
  let central: MqttCapture;
  const telemetry = (): Captured[] => central.messages.filter((m) => m.topic.endsWith("/telemetry"));
  const changes = (what: string) =>
    telemetry().filter((m) => (m.json.changed as string[] | undefined)?.includes(what));

  beforeAll(async () => {
    await broker.start();
    central = new MqttCapture(broker.url, "waystation/v1/#");
    await central.start();
    booted = await bootOccupancyStation(
      `  radar: { port: simulated }
  beam: { outer: { pin: 24, debounceMs: 10 }, inner: { pin: 25, debounceMs: 10 } }`,
      {
        mqtt: `{ url: "${broker.url}", stateDebounceMs: 10, telemetry: { heartbeatS: 3600, minIntervalMs: 200 } }`,
      },
    );
    await sensorHealth(booted, "radar", "good", 15_000);
  });
  afterAll(async () => {
    await booted?.stop();
    await central?.stop();
    await broker.stop();
  });

  it("the heartbeat after connecting carries the figure and the sensors' health, valid by the contract", async () => {
    const beat = await waitFor(
      () => telemetry().find((m) => m.json.reason === "heartbeat" && m.json.occupancy),
      "a heartbeat with occupancy",
      15_000,
    );
    expect(TelemetrySchema.safeParse(beat.json).success).toBe(true);
    expect(beat.json.occupancy).toMatchObject({
      count: 0,
      present: false,
      welfare: false,
      sensors: { beam: "good" },
    });
  });

  it("someone walks in: a change report with the new count at once", async () => {
    booted.occupancySim?.walkIn(1);
    const m = await waitFor(
      () => changes("occupancy").find((x) => (x.json.occupancy as { count: number }).count === 1),
      "a change report with count 1",
      15_000,
    );
    expect(m.json).toMatchObject({ reason: "change", occupancy: { present: true, confidence: "high" } });
    expect(TelemetrySchema.safeParse(m.json).success).toBe(true);
  });

  it("the radar unplugged: a change report says it is offline", async () => {
    const occ = booted.occupancySim;
    if (!occ) throw new Error("no simulator");
    await occ.unplugRadar();
    try {
      await waitFor(
        () =>
          changes("occupancy").find(
            (x) => (x.json.occupancy as { sensors: Record<string, string> }).sensors.radar === "offline",
          ),
        "a change report with the radar offline",
        15_000,
      );
    } finally {
      await occ.replugRadar();
    }
  });
});
