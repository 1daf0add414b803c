import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { StationEvent } from "../contract/events.ts";
import { type StationState, type Status, stationTopics } from "../contract/state.ts";

export interface MqttPublisherOptions {
  url: string;
  topicRoot: string;
  stationId: string;
  keepaliveS: number;
  protocolVersion: 4 | 5;
  status: Omit<Status, "online">;
  credentials?: { username: string; password: string } | undefined;
}

const STOP_TIMEOUT_MS = 2000;

/**
 * Publishes status, state and events. The station never waits for the broker: a station must
 * run its door with the network down, so start() returns at once and the client reconnects.
 */
export class MqttPublisher {
  private client: MqttClient | undefined;
  private latestState: StationState | undefined;
  private readonly topics: ReturnType<typeof stationTopics>;
  connected = false;

  constructor(
    private readonly opts: MqttPublisherOptions,
    private readonly log: Logger,
  ) {
    this.topics = stationTopics(opts.topicRoot, opts.stationId);
  }

  start(): void {
    const offline: Status = { ...this.opts.status, online: false };
    const options: IClientOptions = {
      clientId: `waystation-${this.opts.stationId}`,
      protocolVersion: this.opts.protocolVersion,
      keepalive: this.opts.keepaliveS,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      // mqtt-packet otherwise pre-builds 65,536 two-byte Buffers on the first write: 6 MB of heap
      // on a board whose whole budget is 80 MB.
      writeCache: false,
      will: {
        topic: this.topics.status,
        payload: Buffer.from(JSON.stringify(offline)),
        qos: 1,
        retain: true,
      },
      ...(this.opts.credentials ?? {}),
    };
    const client = mqtt.connect(this.opts.url, options);
    this.client = client;
    client.on("connect", () => {
      this.connected = true;
      this.log.info({ url: this.opts.url }, "connected to the MQTT broker");
      this.publishJson(this.topics.status, { ...this.opts.status, online: true }, true);
      if (this.latestState) this.publishJson(this.topics.state, this.latestState, true);
    });
    client.on("close", () => {
      if (this.connected && this.client)
        this.log.warn({ url: this.opts.url }, "MQTT connection lost; reconnecting");
      this.connected = false;
    });
    client.on("error", (err) => this.log.warn({ err: err.message, url: this.opts.url }, "MQTT error"));
  }

  publishEvent(event: StationEvent): void {
    this.publishJson(this.topics.events, event, false);
  }

  publishState(state: StationState): void {
    this.latestState = state;
    if (this.connected) this.publishJson(this.topics.state, state, true);
  }

  /** A graceful stop says offline itself (the Last Will is for ungraceful ones). */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    if (this.connected) {
      const offline: Status = { ...this.opts.status, online: false };
      await withTimeout(
        client.publishAsync(this.topics.status, JSON.stringify(offline), { qos: 1, retain: true }),
        STOP_TIMEOUT_MS,
      ).catch((err) => this.log.warn({ err: String(err) }, "could not publish offline status"));
    }
    // Disconnected, there is nothing to flush; waiting would only delay the shutdown.
    const force = !this.connected;
    this.connected = false;
    await withTimeout(client.endAsync(force), STOP_TIMEOUT_MS).catch(() => client.end(true));
  }

  private publishJson(topic: string, payload: unknown, retain: boolean): void {
    this.client?.publish(topic, JSON.stringify(payload), { qos: 1, retain }, (err) => {
      if (err) this.log.warn({ err: err.message, topic }, "MQTT publish failed");
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
