import mqtt, { type MqttClient } from "mqtt";
import { waitFor } from "./wait.ts";

export interface Captured {
  topic: string;
  payload: string;
  json: Record<string, unknown>;
  retain: boolean;
}

/** A plain MQTT subscriber, as a central server would be, that keeps what it receives. */
export class MqttCapture {
  readonly messages: Captured[] = [];
  private client: MqttClient | undefined;

  constructor(
    private readonly url: string,
    private readonly filter: string,
    private readonly protocolVersion: 4 | 5 = 4,
  ) {}

  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.url, {
      protocolVersion: this.protocolVersion,
      reconnectPeriod: 200,
    });
    client.on("message", (topic, payload, packet) => {
      const text = payload.toString("utf8");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // kept as text; a test that expects JSON will fail on it
      }
      this.messages.push({ topic, payload: text, json, retain: packet.retain });
    });
    await client.subscribeAsync(this.filter, { qos: 1 });
    this.client = client;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }

  events(): Record<string, unknown>[] {
    return this.messages.filter((m) => m.topic.endsWith("/events")).map((m) => m.json);
  }

  eventTypes(): string[] {
    return this.events().map((e) => String(e.type));
  }

  async waitForEvent(type: string, after = 0, timeoutMs = 5000): Promise<Record<string, unknown>> {
    return waitFor(
      () =>
        this.events()
          .slice(after)
          .find((e) => e.type === type),
      `event ${type} on MQTT`,
      timeoutMs,
    );
  }

  last(topicSuffix: string): Captured | undefined {
    return this.messages.filter((m) => m.topic.endsWith(topicSuffix)).at(-1);
  }
}
