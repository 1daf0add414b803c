import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll } from "vitest";
import { type SignedMessage, type SigningKey, signEnvelope } from "../../scripts/central/sign.ts";
import { StationProcess } from "./child.ts";
import { Mosquitto } from "./mosquitto.ts";
import { freePort } from "./net.ts";
import { writeStationFile } from "./station-file.ts";
import { waitFor } from "./wait.ts";

export const STATION = "test-station";
export const ROOT = `waystation/v1/${STATION}`;

export function newKey(kid: string): SigningKey & { publicKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { kid, privateKey, publicKey };
}

/** The one-line base64 SPKI form the station file accepts. */
export function pinLine(kid: string, publicKey: KeyObject, retired = false): string {
  const b64 = publicKey.export({ format: "der", type: "spki" }).toString("base64");
  return `{ kid: ${kid}, publicKey: "${b64}"${retired ? ", retired: true" : ""} }`;
}

/** A simulated station with `remote` configured, run as `waystation run`, restartable on the same data dir. */
export class RemoteStation {
  readonly dir = mkdtempSync(join(tmpdir(), "ws-remote-"));
  proc: StationProcess | undefined;
  consoleUrl = "";
  private file = "";

  /** the station file, for CLI commands that reach the station through its control socket */
  get configFile(): string {
    return this.file;
  }

  constructor(
    private readonly brokerUrl: () => string,
    private readonly pins: string[] | (() => string[]),
    private readonly extra = "",
  ) {}

  async start(): Promise<void> {
    if (!this.file) {
      const port = await freePort();
      this.consoleUrl = `http://127.0.0.1:${port}`;
      this.file = writeStationFile(this.dir, {
        stationId: STATION,
        brokerUrl: this.brokerUrl(),
        consolePort: port,
        extra: `remote:\n  keys: [${(typeof this.pins === "function" ? this.pins() : this.pins).join(", ")}]\n${this.extra}`,
      });
    }
    this.proc = new StationProcess(["run", "--config", this.file]);
    await this.proc.waitForLog("connected to the MQTT broker");
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p) return;
    p.kill("SIGTERM");
    await p.exit();
  }

  async state(): Promise<{ door: { lock: string; mode: string } }> {
    const res = await fetch(`${this.consoleUrl}/api/state`);
    return (await res.json()) as { door: { lock: string; mode: string } };
  }

  async sim(command: string, body: Record<string, unknown> = {}): Promise<void> {
    const res = await fetch(`${this.consoleUrl}/api/sim/${command}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sim ${command}: ${res.status} ${await res.text()}`);
  }
}

export interface Reply {
  topic: string;
  json: { id: string | null; status: string; code: string; data?: Record<string, unknown> };
  correlationData?: Buffer | undefined;
}

/** The central server's side: an MQTT 5 client that publishes commands and collects replies and events. */
export class Central {
  private client: MqttClient | undefined;
  readonly replies: Reply[] = [];
  readonly events: Record<string, unknown>[] = [];
  /** messages on topics subscribed with subscribe() */
  readonly raw: { topic: string; json: unknown }[] = [];
  private readonly extraTopics = new Set<string>();
  readonly responseTopic = "central/responses/test";

  constructor(private readonly url: () => string) {}

  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.url(), { protocolVersion: 5, reconnectPeriod: 200 });
    client.on("message", (topic, payload, packet) => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
      } catch {
        return;
      }
      if (this.extraTopics.has(topic)) this.raw.push({ topic, json });
      else if (topic.endsWith("/events")) this.events.push(json);
      else
        this.replies.push({
          topic,
          json: json as Reply["json"],
          correlationData: packet.properties?.correlationData,
        });
    });
    await client.subscribeAsync([`${ROOT}/reply/+`, `${ROOT}/events`, this.responseTopic], { qos: 1 });
    this.client = client;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }

  async subscribe(topic: string): Promise<void> {
    this.extraTopics.add(topic);
    await this.client?.subscribeAsync(topic, { qos: 1 });
  }

  async publishTo(topic: string, message: SignedMessage, retain: boolean): Promise<void> {
    await this.client?.publishAsync(topic, JSON.stringify(message), { qos: 1, retain });
  }

  async publish(
    name: string,
    payload: string | Buffer | SignedMessage,
    opts: { correlationData?: Buffer } = {},
  ): Promise<void> {
    const body = typeof payload === "string" || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    // name "" is the credentials topic
    await this.client?.publishAsync(name ? `${ROOT}/cmd/${name}` : `${ROOT}/credentials`, body, {
      qos: 1,
      properties: {
        responseTopic: this.responseTopic,
        ...(opts.correlationData ? { correlationData: opts.correlationData } : {}),
      },
    });
  }

  /** Sign `envelope` with `key`, send it on cmd/<name>, and wait for its reply on reply/<id>. */
  async command(key: SigningKey, envelope: Record<string, unknown> & { id: string }, name?: string) {
    await this.publish(name ?? String(envelope.name), signEnvelope(envelope, key));
    return this.reply(envelope.id);
  }

  async reply(id: string, timeoutMs = 10_000): Promise<Reply["json"]> {
    return (
      await waitFor(
        () => this.replies.find((r) => r.topic === `${ROOT}/reply/${id}`),
        `reply ${id}`,
        timeoutMs,
      )
    ).json;
  }

  async response(correlationData: Buffer, timeoutMs = 10_000): Promise<Reply> {
    return waitFor(
      () =>
        this.replies.find(
          (r) => r.topic === this.responseTopic && r.correlationData?.equals(correlationData),
        ),
      `response ${correlationData.toString("hex")}`,
      timeoutMs,
    );
  }

  async event(type: string, match: (e: Record<string, unknown>) => boolean = () => true, timeoutMs = 10_000) {
    return waitFor(() => this.events.find((e) => e.type === type && match(e)), `event ${type}`, timeoutMs);
  }
}

/**
 * A real Mosquitto, a `waystation run` station pinning `pins`, and a central client, started
 * before the describe block's tests and stopped after them.
 */
export function useRemoteRig(pins: string[] | (() => string[])) {
  const broker = new Mosquitto();
  const station = new RemoteStation(() => broker.url, pins);
  const central = new Central(() => broker.url);
  beforeAll(async () => {
    await broker.start();
    await station.start();
    await central.start();
  }, 30_000);
  afterAll(async () => {
    await central.stop();
    await station.stop();
    await broker.stop();
  });
  return { broker, station, central };
}
