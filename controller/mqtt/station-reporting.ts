import type { Logger } from "pino";
import type { StationConfig } from "../../config/schema.ts";
import { brokerUrl } from "../../config/sections/mqtt.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { StationState, Status } from "../contract/state.ts";
import { stationTopics } from "../contract/state.ts";
import type { LinkStatus, Telemetry } from "../contract/telemetry.ts";
import type { Journal } from "../journal/journal.ts";
import { EventDelivery } from "./event-delivery.ts";
import { MqttLink, type MqttLinkOptions } from "./mqtt-link.ts";
import {
  type TelemetryPart,
  TelemetryReporter,
  type TelemetrySample,
  type TelemetrySettings,
} from "./telemetry-reporter.ts";

export interface ReportingOptions {
  topicRoot: string;
  stationId: string;
  status: Omit<Status, "online">;
  link: Omit<MqttLinkOptions, "will">;
  inFlight: number;
  telemetry: TelemetrySettings;
  /** the subsystems' parts of the telemetry (outlets, the credential list, ...) */
  telemetryParts?: () => TelemetryPart;
}

/** The station file's `mqtt` section as reporting options; the rest is the station's own. */
export function reportingOptions(
  config: StationConfig,
  own: Pick<ReportingOptions, "status" | "telemetryParts"> & {
    credentials: MqttLinkOptions["credentials"];
  },
): ReportingOptions {
  const m = config.mqtt;
  return {
    topicRoot: m.topicRoot,
    stationId: config.station.id,
    status: own.status,
    link: {
      urls: [brokerUrl(config), ...m.failoverUrls],
      clientId: m.clientId ?? `waystation-${config.station.id}`,
      protocolVersion: m.protocolVersion,
      keepaliveS: m.keepaliveS,
      sessionExpiryS: m.sessionExpiryS,
      connectTimeoutMs: m.connectTimeoutMs,
      reconnect: m.reconnect,
      tls: m.tls,
      credentials: own.credentials,
      maxIncomingPacketBytes: m.maxIncomingPacketBytes,
    },
    inFlight: m.inFlight,
    telemetry: m.telemetry,
    ...(own.telemetryParts ? { telemetryParts: own.telemetryParts } : {}),
  };
}

const STOP_TIMEOUT_MS = 2000;

/**
 * Everything the station says over MQTT: `status` (retained, with the Last Will), `state`
 * (retained, on change and on request), `events` (from the journal) and `telemetry`.
 * The station never waits for the broker: start() returns at once.
 */
export class StationReporting {
  readonly link: MqttLink;
  readonly delivery: EventDelivery;
  private readonly telemetry: TelemetryReporter;
  private readonly topics: ReturnType<typeof stationTopics>;
  private latestState: StationState | undefined;
  private readonly stateRequests: (() => void)[] = [];
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    private readonly opts: ReportingOptions,
    journal: Journal,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.topics = stationTopics(opts.topicRoot, opts.stationId);
    const offline: Status = { ...opts.status, online: false };
    this.link = new MqttLink(
      { ...opts.link, will: { topic: this.topics.status, payload: JSON.stringify(offline) } },
      clock,
      log,
    );
    this.delivery = new EventDelivery(
      journal,
      this.link,
      { topic: this.topics.events, window: opts.inFlight, retry: opts.link.reconnect },
      clock,
      log.child({ module: "delivery" }),
    );
    this.telemetry = new TelemetryReporter(
      opts.telemetry,
      { stationId: opts.stationId, bootId: opts.status.bootId },
      (): TelemetrySample => {
        const parts = opts.telemetryParts?.();
        return { journal: journal.status(), link: this.linkStatus(), ...(parts ? { parts } : {}) };
      },
      (t) => this.publishTelemetry(t),
      clock,
    );
  }

  start(): void {
    this.unsubscribers.push(
      this.link.onConnect((info) => {
        this.publishJson(this.topics.status, { ...this.opts.status, online: true } satisfies Status, true);
        if (this.latestState) this.publishJson(this.topics.state, this.latestState, true);
        this.delivery.onConnect(info.receiveMaximum);
        this.telemetry.beat();
      }),
      this.link.onDisconnect(() => this.delivery.onDisconnect()),
    );
    // A read-only request that changes nothing: anyone allowed on the station's topics may ask.
    this.link.subscribe(this.topics.stateRequest, () => {
      for (const r of this.stateRequests) r();
    });
    this.delivery.start();
    this.telemetry.start();
    this.link.start();
  }

  /** A graceful stop says offline itself (the Last Will is for ungraceful ones). */
  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    this.telemetry.stop();
    this.delivery.stop();
    if (this.link.connected) {
      const offline: Status = { ...this.opts.status, online: false };
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, STOP_TIMEOUT_MS);
        const sent = this.link.publish(
          this.topics.status,
          JSON.stringify(offline),
          { qos: 1, retain: true },
          () => {
            clearTimeout(t);
            resolve();
          },
        );
        if (!sent) {
          clearTimeout(t);
          resolve();
        }
      });
    }
    await this.link.stop();
  }

  /** The `rebirth` command: say online and the whole state again, as after a reconnect. */
  rebirth(state: StationState): void {
    this.publishJson(this.topics.status, { ...this.opts.status, online: true } satisfies Status, true);
    this.publishState(state);
  }

  publishState(state: StationState): void {
    this.latestState = state;
    this.publishJson(this.topics.state, state, true);
  }

  /** `state/get` arrived: the station answers by re-publishing its state. */
  onStateRequest(listener: () => void): void {
    this.stateRequests.push(listener);
  }

  linkStatus(): LinkStatus {
    return {
      connected: this.link.connected,
      broker: this.link.url,
      protocolVersion: this.link.protocolVersion,
      reconnects: Math.max(0, this.link.connections - 1),
      inFlight: this.delivery.inFlight,
      published: this.delivery.published,
      droppedOversize: this.link.droppedOversize,
    };
  }

  private publishTelemetry(t: Telemetry): boolean {
    return this.link.publish(this.topics.telemetry, JSON.stringify(t), { qos: 0, retain: false });
  }

  private publishJson(topic: string, payload: unknown, retain: boolean): void {
    this.link.publish(topic, JSON.stringify(payload), { qos: 1, retain }, (err) => {
      if (err) this.log.debug({ err: err.message, topic }, "MQTT publish not acknowledged");
    });
  }
}
