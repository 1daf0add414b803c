import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type AsyncAPIDocumentInterface, Parser } from "@asyncapi/parser";
import { Ajv, type ValidateFunction } from "ajv";
import mqtt from "mqtt";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { asyncApiYaml } from "../controller/contract/asyncapi.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

const FILE = resolve(import.meta.dirname, "..", "docs", "asyncapi.yaml");

async function parse(): Promise<AsyncAPIDocumentInterface> {
  const { document, diagnostics } = await new Parser().parse(readFileSync(FILE, "utf8"));
  // 0 = error, 1 = warning; 2 and 3 are hints (e.g. "a newer AsyncAPI version exists").
  expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  if (!document) throw new Error("the parser returned no document");
  return document;
}

describe("the AsyncAPI document", () => {
  it("is what `waystation contract asyncapi --write` generates from the zod types", () => {
    expect(readFileSync(FILE, "utf8")).toBe(asyncApiYaml());
  });

  it("parses with @asyncapi/parser: every channel, one message per event type", async () => {
    const doc = await parse();
    const channels = doc.channels().all();
    expect(channels.map((c) => c.address())).toEqual([
      "waystation/v1/{stationId}/status",
      "waystation/v1/{stationId}/state",
      "waystation/v1/{stationId}/events",
      "waystation/v1/{stationId}/telemetry",
      "waystation/v1/{stationId}/state/get",
      "waystation/v1/{stationId}/cmd/{name}",
      "waystation/v1/{stationId}/reply/{commandId}",
      "waystation/v1/{stationId}/credentials",
      "waystation/v1/{stationId}/config/desired",
      "waystation/v1/{stationId}/config/reported",
    ]);
    const events = channels.find((c) => c.address()?.endsWith("/events"));
    expect(
      events
        ?.messages()
        .all()
        .map((m) => m.name()),
    ).toContain("journal.dropped");
  });
});

/** Real messages from a real station through a real broker, checked against the parsed document. */
describe("messages a station really publishes validate against the document", () => {
  if (!realStackAvailable(mosquittoDaemon)) return;

  const broker = new Mosquitto();
  let booted: BootedStation;
  let sub: MqttCapture;

  beforeAll(async () => {
    await broker.start();
    sub = new MqttCapture(broker.url, "waystation/v1/#", 5);
    await sub.start();
    const dir = mkdtempSync(join(tmpdir(), "ws-asyncapi-"));
    const file = writeStationFile(dir, {
      brokerUrl: broker.url,
      allowUid: "04A1B2C3",
    });
    const config = loadConfigFile(file);
    booted = await bootStation({
      config: { ...config, mqtt: { ...config.mqtt, telemetry: { ...config.mqtt.telemetry, heartbeatS: 1 } } },
      logger: pino({ level: "silent" }),
      swingShutMs: 100,
    });
  });

  afterAll(async () => {
    await booted?.stop();
    await sub?.stop();
    await broker.stop();
  });

  it("status, state (also on request), telemetry and every kind of event the run produced", async () => {
    const sim = booted.sim;
    if (!sim) throw new Error("simulated station expected");
    sim.control.tap("04A1B2C3");
    await sub.waitForEvent("door.unlocked", 0, 5000);
    sim.control.pushDoor();
    const locked = await sub.waitForEvent("door.locked", 0, 5000);
    // Once the state after the relock is out, the station is quiet: a new state now is the answer.
    const states = () => sub.messages.filter((m) => m.topic.endsWith("/state"));
    await waitFor(
      () => states().some((m) => (m.json.events as { lastSeq: number }).lastSeq >= Number(locked.seq)),
      "the state after the relock",
    );
    const before = states().length;
    const asker = await mqtt.connectAsync(broker.url);
    await asker.publishAsync("waystation/v1/test-station/state/get", "");
    await asker.endAsync();
    await waitFor(() => states().length > before, "the state re-published on request");
    sim.control.tap("DEADBEEF");
    sim.control.pressExitButton();
    await waitFor(() => sub.last("/telemetry"), "a telemetry heartbeat", 5000);
    await sub.waitForEvent("exit.requested", 0, 5000);

    const doc = await parse();
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const validators = doc
      .channels()
      .all()
      .map((c) => ({
        pattern: new RegExp(`^${(c.address() ?? "").replace("{stationId}", "[^/]+")}$`),
        checks: c
          .messages()
          .all()
          .map((m) => ({
            name: m.name() ?? "?",
            validate: ajv.compile(m.payload()?.json() ?? {}) as ValidateFunction,
          })),
      }));

    const kinds = new Set<string>();
    for (const m of sub.messages) {
      if (m.topic.endsWith("/state/get")) continue;
      const channel = validators.find((v) => v.pattern.test(m.topic));
      expect(channel, `a channel for ${m.topic}`).toBeDefined();
      const passing = channel?.checks.filter((c) => c.validate(m.json)).map((c) => c.name) ?? [];
      const errors = channel?.checks.map((c) =>
        c.validate(m.json) ? "" : ajv.errorsText(c.validate.errors),
      );
      expect(
        passing.length,
        `${m.topic} ${m.payload} -> ${errors?.filter(Boolean).slice(0, 2).join(" | ")}`,
      ).toBe(1);
      kinds.add(m.topic.endsWith("/events") ? String(m.json.type) : (m.topic.split("/").at(-1) ?? ""));
    }
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        "access.denied",
        "access.granted",
        "door.closed",
        "door.locked",
        "door.opened",
        "door.unlocked",
        "exit.requested",
        "reader.online",
        "state",
        "status",
        "telemetry",
      ]),
    );
    // The document is strict where it matters: a wrong payload fails.
    const events = validators.find((v) => v.pattern.test("waystation/v1/x/events"));
    const bad = { ...sub.events()[0], seq: 0 };
    expect(events?.checks.some((c) => c.validate(bad))).toBe(false);
  });
});
