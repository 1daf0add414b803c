import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StationProcess } from "./support/child.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/** Peak resident set of a process (VmHWM), MB: what the board's memory budget is about. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? Number.NaN) / 1024;
}

const BIG = 64 * 1024 * 1024;

/**
 * Anyone who may write a topic the station reads sends it one 64 MiB publish. The station's
 * peak memory must not move, on MQTT 5 (the broker is told the limit) and on MQTT 3.1.1 (where
 * only the station's own packet filter stands between the socket and mqtt.js's buffers).
 */
describe.each([4, 5] as const)("a 64 MiB publish to a station on MQTT %s", (protocol) => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const broker = new Mosquitto();
  let station: StationProcess;
  let sub: MqttCapture;
  const id = `big-${protocol}`;

  beforeAll(async () => {
    await broker.start();
    const dir = mkdtempSync(join(tmpdir(), "ws-oversize-"));
    const file = writeStationFile(dir, {
      stationId: id,
      brokerUrl: broker.url,
      mqtt: [`protocolVersion: ${protocol}`, "maxIncomingPacketBytes: 65536"],
    });
    station = new StationProcess(["run", "--config", file]);
    await station.waitForLog("station ready");
    await station.waitForLog("connected to the MQTT broker");
    sub = new MqttCapture(broker.url, `waystation/v1/${id}/+`, 5);
    await sub.start();
  }, 30_000);

  afterAll(async () => {
    station?.kill();
    await sub?.stop();
    await broker.stop();
  });

  async function stateRequestAnswered(client: mqtt.MqttClient): Promise<void> {
    const before = sub.messages.filter((m) => m.topic.endsWith("/state")).length;
    await client.publishAsync(`waystation/v1/${id}/state/get`, "{}", { qos: 1 });
    await waitFor(
      () => sub.messages.filter((m) => m.topic.endsWith("/state")).length > before,
      "state re-published on request",
      10_000,
    );
  }

  it("peak RSS stays flat, the packet is counted, and the station still answers", async () => {
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: protocol });
    try {
      await stateRequestAnswered(client); // warm: the request path has run once
      const before = peakRssMb(station.proc.pid ?? 0);
      await client.publishAsync(`waystation/v1/${id}/state/get`, Buffer.alloc(BIG, 0x7b), { qos: 1 });
      if (protocol === 4) {
        // Only 3.1.1 lets the broker send it; MQTT 5's broker drops it for this client itself.
        const log = await station.waitForLog("oversize packet from the broker skipped unread", 30_000);
        expect(log.bytes).toBeGreaterThan(BIG);
        const event = await sub.waitForEvent("mqtt.packet-dropped", 0, 10_000);
        expect(event).toMatchObject({ limit: 65_536, droppedTotal: 1 });
      }
      await stateRequestAnswered(client); // after the big one: the station reads on
      const after = peakRssMb(station.proc.pid ?? 0);
      console.log(`[oversize] MQTT ${protocol}: peak RSS ${before.toFixed(1)} MB -> ${after.toFixed(1)} MB`);
      expect(after - before).toBeLessThan(16);
    } finally {
      await client.endAsync();
    }
  }, 60_000);
});
