import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { waitFor } from "./wait.ts";

export interface ReceivedEvent {
  seq: number;
  id: string;
  type: string;
  stationId: string;
  replayed: boolean;
}

/**
 * A central server's subscriber: persistent session (clean start off, a fixed client id),
 * QoS 1, reconnecting by itself. It keeps every event message it receives, duplicates included.
 */
export class EventSubscriber {
  readonly received: ReceivedEvent[] = [];
  private client: MqttClient | undefined;
  readonly clientId = `ws-test-sub-${randomBytes(4).toString("hex")}`;

  constructor(
    private readonly url: string,
    private readonly filter = "waystation/v1/+/events",
    private readonly protocolVersion: 4 | 5 = 5,
  ) {}

  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.url, {
      clientId: this.clientId,
      clean: false,
      protocolVersion: this.protocolVersion,
      ...(this.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
      reconnectPeriod: 100,
      connectTimeout: 2000,
    });
    client.on("error", () => {});
    client.on("message", (_topic, payload) => {
      const e = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
      this.received.push({
        seq: Number(e.seq),
        id: String(e.id),
        type: String(e.type),
        stationId: String(e.stationId),
        replayed: e.replayed === true,
      });
    });
    await client.subscribeAsync(this.filter, { qos: 1 });
    this.client = client;
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }

  seqs(): Set<number> {
    return new Set(this.received.map((e) => e.seq));
  }

  /** seqs in 1..upTo never received */
  missing(upTo: number, from = 1): number[] {
    const have = this.seqs();
    const out: number[] = [];
    for (let s = from; s <= upTo; s++) if (!have.has(s)) out.push(s);
    return out;
  }

  /** seqs received with more than one id: a duplicate must carry the same id */
  conflicts(): number[] {
    const ids = new Map<number, string>();
    const bad = new Set<number>();
    for (const e of this.received) {
      const id = ids.get(e.seq);
      if (id === undefined) ids.set(e.seq, e.id);
      else if (id !== e.id) bad.add(e.seq);
    }
    return [...bad];
  }

  /** seqs in the order of their first arrival (duplicates dropped by id) */
  firstArrivals(): number[] {
    const seen = new Set<string>();
    const out: number[] = [];
    for (const e of this.received) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      out.push(e.seq);
    }
    return out;
  }

  async waitForAll(upTo: number, timeoutMs = 20_000, from = 1): Promise<void> {
    await waitFor(
      () => this.missing(upTo, from).length === 0,
      `every seq ${from}..${upTo} (missing ${this.missing(upTo, from).slice(0, 10).join(",")}...)`,
      timeoutMs,
      20,
    );
  }
}
