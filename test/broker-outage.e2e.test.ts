import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { EventSubscriber } from "./support/event-subscriber.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { nextUnknownUid } from "./support/uids.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The broker goes away in the middle of a burst of events and comes back: the central server's
 * persistent subscriber must end with every event, in seq order, none missing; the ones that
 * waited in the journal arrive marked `replayed: true`.
 */
describe("a broker outage during a burst of events", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const broker = new Mosquitto();
  let sub: EventSubscriber;
  let booted: BootedStation;

  beforeAll(async () => {
    await broker.start();
    sub = new EventSubscriber(broker.url);
    await sub.start();
    const dir = mkdtempSync(join(tmpdir(), "ws-outage-"));
    const config = loadConfigFile(writeStationFile(dir, { brokerUrl: broker.url }));
    booted = await bootStation({ config, logger: pino({ level: "silent" }) });
    await waitFor(() => booted.station.mqtt.link.connected, "station connected");
  });

  afterAll(async () => {
    await booted?.stop();
    await sub?.stop();
    await broker.stop();
  });

  it("every event arrives, in seq order, none missing, the late ones marked replayed", async () => {
    const { station, sim } = booted;
    let taps = 0;
    const burst = setInterval(() => {
      for (let i = 0; i < 20; i++) sim?.control.tap(nextUnknownUid());
      taps += 20;
    }, 2);
    try {
      await waitFor(() => sub.received.length > 500, "events flowing before the outage", 10_000);
      await broker.stop();
      await waitFor(() => !station.mqtt.link.connected, "station notices the outage");
      const atOutage = station.bus.lastSeq;
      await waitFor(() => station.bus.lastSeq > atOutage + 1000, "events during the outage", 10_000);
      expect(station.journal.backlog).toBeGreaterThan(500);
      await broker.start();
      await waitFor(() => station.mqtt.link.connected, "station reconnects", 10_000);
      await waitFor(() => station.bus.lastSeq > atOutage + 3000, "events after the outage", 10_000);
    } finally {
      clearInterval(burst);
    }
    const last = station.bus.lastSeq;
    expect(taps).toBeGreaterThan(3000);
    await sub.waitForAll(last, 12_000);
    await waitFor(() => station.journal.backlog === 0, "journal drained");

    expect(sub.conflicts()).toEqual([]);
    const order = sub.firstArrivals().filter((s) => s <= last);
    expect(order).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(sub.received.some((e) => e.replayed)).toBe(true);
    expect(sub.received.some((e) => !e.replayed)).toBe(true);
    const telemetryLink = station.mqtt.linkStatus();
    expect(telemetryLink.reconnects).toBeGreaterThanOrEqual(1);
  });
});
