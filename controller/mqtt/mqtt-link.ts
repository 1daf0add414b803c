import { createConnection } from "node:net";
import type { Duplex } from "node:stream";
import mqtt, {
  type IClientOptions,
  type IClientPublishOptions,
  type IPublishPacket,
  type MqttClient,
} from "mqtt";
import type { Logger } from "pino";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import { afterDisconnect, afterFailure, type ReconnectPlan } from "./backoff.ts";
import { guardedStream, ReusedReadBuffer } from "./guarded-stream.ts";
import { type DroppedPacket, IncomingPacketFilter } from "./packet-filter.ts";
import { type TlsFiles, tlsClientOptions } from "./tls-options.ts";
import { matches, redact } from "./topics.ts";

export interface MqttLinkOptions {
  urls: readonly string[];
  clientId: string;
  protocolVersion: 4 | 5;
  keepaliveS: number;
  sessionExpiryS: number;
  connectTimeoutMs: number;
  reconnect: { baseMs: number; capMs: number };
  tls?: TlsFiles | undefined;
  credentials?: { username: string; password: string } | undefined;
  will: { topic: string; payload: string };
  /** packets from the broker larger than this (whole packet, bytes) are skipped unread */
  maxIncomingPacketBytes: number;
  random?: () => number;
}

export interface ConnectInfo {
  url: string;
  sessionPresent: boolean;
  /** how many QoS 1 messages the broker accepts in flight (MQTT 5 receive maximum) */
  receiveMaximum: number;
}

/** `packet` carries the MQTT 5 properties (response topic, correlation data) when there are any. */
export type MessageHandler = (topic: string, payload: Buffer, packet: IPublishPacket) => void;

/**
 * One logical connection to the fleet's brokers: connects, and reconnects for ever with
 * full-jitter backoff across the configured URLs. The session is persistent (clean start off,
 * a stable client id). mqtt.js's own reconnect and offline queue are off: the journal, not
 * the client's memory, is what survives an outage.
 */
export class MqttLink {
  private client: MqttClient | undefined;
  private plan: ReconnectPlan = { urlIndex: 0, failures: 0 };
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly connects = new Listeners<ConnectInfo>();
  private readonly disconnects = new Listeners<void>();
  private readonly oversize = new Listeners<DroppedPacket & { droppedTotal: number }>();
  private readonly subscriptions = new Map<string, MessageHandler>();
  private lastError = "";
  connected = false;
  connections = 0;
  /** oversize packets from the broker skipped since start */
  droppedOversize = 0;

  constructor(
    private readonly opts: MqttLinkOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running = true;
    this.attempt();
  }

  /** Ends the connection without a DISCONNECT's farewell when `force`; the Last Will then fires. */
  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    const wasConnected = this.connected;
    this.connected = false;
    if (!client) return;
    client.removeAllListeners("close");
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        client.end(true);
        resolve();
      }, 2000);
      client.end(!wasConnected, {}, () => {
        clearTimeout(t);
        resolve();
      });
    });
    if (wasConnected) this.disconnects.emit();
  }

  /** The broker in use (or about to be tried), without credentials. */
  get url(): string {
    return redact(this.opts.urls[this.plan.urlIndex] ?? "");
  }

  /** failed connection attempts since the last success */
  get failedAttempts(): number {
    return this.plan.failures;
  }

  get protocolVersion(): 4 | 5 {
    return this.opts.protocolVersion;
  }

  onConnect(listener: (info: ConnectInfo) => void): () => void {
    return this.connects.add(listener);
  }

  onDisconnect(listener: () => void): () => void {
    return this.disconnects.add(listener);
  }

  /** told about every oversize packet the broker sent, after it was skipped */
  onOversizePacket(listener: (dropped: DroppedPacket & { droppedTotal: number }) => void): () => void {
    return this.oversize.add(listener);
  }

  /** Subscribe now and after every reconnect (QoS 1). */
  subscribe(filter: string, handler: MessageHandler): void {
    this.subscriptions.set(filter, handler);
    if (this.connected) this.client?.subscribe(filter, { qos: 1 });
  }

  /** Publish on the current connection; false (and no callback) when there is none. */
  publish(
    topic: string,
    payload: string | Buffer,
    opts: IClientPublishOptions,
    cb?: (err?: Error) => void,
  ): boolean {
    const client = this.client;
    if (!client || !this.connected) return false;
    client.publish(topic, payload, opts, cb);
    return true;
  }

  private attempt(): void {
    if (!this.running) return;
    const url = this.opts.urls[this.plan.urlIndex] ?? this.opts.urls[0] ?? "";
    let options: IClientOptions;
    try {
      options = this.clientOptions();
    } catch (err) {
      this.retryAfterFailure(url, err instanceof Error ? err.message : String(err));
      return;
    }
    const reads = new ReusedReadBuffer();
    const tls = /^(mqtts|ssl):/i.test(url);
    // mqtt.js hands its options to tls.connect whole, so `onread` reaches the TLS socket.
    const client = mqtt.connect(url, {
      ...options,
      manualConnect: true,
      ...(tls ? { onread: reads.onread } : {}),
    } as IClientOptions);
    this.guardIncoming(client, url, reads);
    client.connect();
    this.client = client;
    let wasConnected = false;
    client.on("connect", (connack) => {
      if (this.client !== client) return;
      wasConnected = true;
      this.connected = true;
      this.connections++;
      const failures = this.plan.failures;
      this.plan = { ...this.plan, failures: 0 };
      this.lastError = "";
      const receiveMaximum = connack.properties?.receiveMaximum ?? 65_535;
      this.log.info(
        {
          url: redact(url),
          sessionPresent: connack.sessionPresent,
          receiveMaximum,
          failedAttempts: failures,
        },
        "connected to the MQTT broker",
      );
      for (const filter of this.subscriptions.keys()) client.subscribe(filter, { qos: 1 });
      this.connects.emit({ url: redact(url), sessionPresent: connack.sessionPresent, receiveMaximum });
    });
    client.on("message", (topic, payload, packet) => {
      for (const [filter, handler] of this.subscriptions) {
        if (matches(filter, topic)) handler(topic, payload, packet);
      }
    });
    client.on("error", (err) => {
      this.lastError = err.message;
    });
    client.on("disconnect", (packet) => {
      this.lastError = `broker disconnected us (reason ${packet.reasonCode ?? "?"})`;
    });
    client.on("close", () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      client.on("error", () => {});
      client.end(true);
      if (wasConnected) {
        this.connected = false;
        this.log.warn(
          { url: redact(url), reason: this.lastError || "connection closed" },
          "MQTT connection lost; reconnecting",
        );
        this.disconnects.emit();
        this.schedule(
          afterDisconnect(this.plan, this.opts.reconnect.baseMs, this.opts.reconnect.capMs, this.random),
        );
      } else {
        this.retryAfterFailure(url, this.lastError || "connection closed");
      }
    });
  }

  /**
   * Put the packet filter between the socket and mqtt.js's parser. mqtt.js has no public hook
   * for this; its stream builder is the one seam (checked here, so an mqtt.js upgrade that
   * renames it fails loudly instead of silently dropping the guard).
   */
  private guardIncoming(client: MqttClient, url: string, reads: ReusedReadBuffer): void {
    const holder = client as unknown as { streamBuilder?: (c: MqttClient) => Duplex };
    const inner = holder.streamBuilder;
    if (typeof inner !== "function")
      throw new Error("mqtt.js has no streamBuilder: cannot guard packet sizes");
    const limit = this.opts.maxIncomingPacketBytes;
    const onDropped = (d: DroppedPacket) => {
      this.droppedOversize++;
      this.log.warn(
        { bytes: d.bytes, limit, droppedTotal: this.droppedOversize },
        "oversize packet from the broker skipped unread",
      );
      this.oversize.emit({ ...d, droppedTotal: this.droppedOversize });
    };
    holder.streamBuilder = (c) => {
      const filter = new IncomingPacketFilter(limit);
      const u = new URL(url);
      if (u.protocol === "mqtt:" || u.protocol === "tcp:") {
        const socket = createConnection({
          host: u.hostname.replace(/^\[|\]$/g, ""),
          port: Number(u.port || 1883),
          onread: reads.onread,
        });
        return guardedStream(socket, filter, onDropped, reads);
      }
      const socket = inner(c);
      return guardedStream(socket, filter, onDropped, /^(mqtts|ssl):$/.test(u.protocol) ? reads : undefined);
    };
  }

  private schedule(next: { plan: ReconnectPlan; delayMs: number }): void {
    this.plan = next.plan;
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.attempt();
    }, next.delayMs);
  }

  /** The first failure of a run is a warning; then only every 20th, so days offline do not flood the log. */
  private noteFailure(url: string, reason: string): void {
    const n = this.plan.failures + 1;
    const level = n === 1 || n % 20 === 0 ? "warn" : "debug";
    this.log[level](
      { url: redact(url), reason, failedAttempts: n },
      "cannot reach the MQTT broker; will retry",
    );
  }

  /** A failed attempt: note it, then try the next URL after the backoff. */
  private retryAfterFailure(url: string, reason: string): void {
    this.noteFailure(url, reason);
    const { baseMs, capMs } = this.opts.reconnect;
    this.schedule(afterFailure(this.plan, this.opts.urls.length, baseMs, capMs, this.random));
  }

  private get random(): () => number {
    return this.opts.random ?? Math.random;
  }

  private clientOptions(): IClientOptions {
    const o = this.opts;
    const tls = o.tls;
    return {
      clientId: o.clientId,
      protocolVersion: o.protocolVersion,
      keepalive: o.keepaliveS,
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs,
      queueQoSZero: false,
      resubscribe: false,
      // mqtt.js traces every packet through `debug`; on the drain path that alone costs ~10 %.
      log: () => {},
      // Otherwise every PUBACK received re-arms the keepalive timer (a clearTimeout and a
      // setTimeout per event: ~8 % of the drain's CPU). A PINGREQ every keepalive is cheaper.
      reschedulePings: false,
      // mqtt-packet otherwise pre-builds 65,536 two-byte Buffers on the first write: 6 MB of heap
      // on a board whose whole budget is 80 MB.
      writeCache: false,
      // MQTT 5 tells the broker not to send more (Mosquitto then drops them for this client);
      // the packet filter holds the line on 3.1.1 and against a broker that ignores it.
      ...(o.protocolVersion === 5
        ? {
            properties: {
              sessionExpiryInterval: o.sessionExpiryS,
              maximumPacketSize: o.maxIncomingPacketBytes,
            },
          }
        : {}),
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
      ...(o.credentials ? { username: o.credentials.username, password: o.credentials.password } : {}),
      ...tlsClientOptions(tls),
    };
  }
}
