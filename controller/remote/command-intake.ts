import type { IClientPublishOptions, IPublishPacket } from "mqtt";
import type { Logger } from "pino";
import type { RemoteConfig } from "../../config/sections/remote.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { TimeQuality } from "../contract/time-quality.ts";
import type { MessageHandler } from "../mqtt/mqtt-link.ts";
import type { CommandReply, CommandRouter } from "./command-router.ts";
import { KeyRing } from "./key-ring.ts";
import type { ReplayCache } from "./replay-cache.ts";
import {
  CommandEnvelopeSchema,
  checkWindow,
  describeIssues,
  openSigned,
  type Rejection,
  reject,
} from "./signed-message.ts";

/** The part of the MQTT link commands need; the link's own size guard applies to what arrives. */
export interface CommandIntakeLink {
  subscribe(filter: string, handler: MessageHandler): void;
  publish(
    topic: string,
    payload: string | Buffer,
    opts: IClientPublishOptions,
    cb?: (err?: Error) => void,
  ): boolean;
}

export interface IntakeDeps {
  link: CommandIntakeLink;
  router: CommandRouter;
  replay: ReplayCache;
  clock: Clock;
  timeQuality: () => TimeQuality;
  log: Logger;
}

/**
 * Signed commands from `cmd/<name>`: every check of docs/central-integration.md in order, the
 * nonce made durable before anything runs, and a reply for every message — accepted or not — on
 * `reply/<id>` and on the MQTT 5 response topic with the request's correlation data.
 */
export class CommandIntake {
  private readonly keys: KeyRing;
  private running = false;

  constructor(
    private readonly settings: RemoteConfig & { stationId: string; base: string },
    private readonly deps: IntakeDeps,
  ) {
    this.keys = new KeyRing(settings.keys);
  }

  start(): void {
    this.running = true;
    this.deps.link.subscribe(`${this.settings.base}/cmd/+`, (topic, payload, packet) => {
      // The link has no unsubscribe; a stopped intake ignores what still arrives.
      if (!this.running) return;
      this.handle(topic, payload, packet).catch((err) =>
        this.deps.log.error({ err }, "command handling failed"),
      );
    });
  }

  stop(): void {
    this.running = false;
  }

  async handle(topic: string, payload: Buffer, packet?: IPublishPacket): Promise<void> {
    const reply = await this.process(topic.slice(`${this.settings.base}/cmd/`.length), payload);
    this.respond(reply, packet);
  }

  private async process(topicName: string, payload: Buffer): Promise<CommandReply> {
    const { router, replay, clock } = this.deps;
    const s = this.settings;
    const refuse = (r: Rejection) => router.rejected(r, "mqtt");
    const opened = openSigned(payload, this.keys, s.maxMessageBytes);
    if (!opened.ok) return refuse(opened);
    const labels = { kid: opened.kid };
    const parsed = CommandEnvelopeSchema.safeParse(opened.body);
    if (!parsed.success) return refuse(reject("BAD_ENVELOPE", describeIssues(parsed.error), labels));
    const env = parsed.data;
    const id = { ...labels, id: env.id, name: env.name };
    if (env.name !== topicName) {
      return refuse(reject("NAME_MISMATCH", `sent on cmd/${topicName} but names "${env.name}"`, id));
    }
    const quality = this.deps.timeQuality();
    const now = clock.now();
    const skewMs = s.skewS * 1000;
    let windowRejection: Rejection | undefined;
    try {
      windowRejection = checkWindow(env, {
        stationId: s.stationId,
        now,
        timeQuality: quality,
        skewMs,
        maxLifetimeMs: s.maxLifetimeS * 1000,
        highWater: replay.highWater,
        seen: (nonce) => replay.seen(nonce),
      });
    } catch (err) {
      return this.cacheFailure(err, id);
    }
    if (windowRejection) return refuse({ ...windowRejection, ...id });
    const prepared = router.prepare(env.name, env.args, id);
    if (!prepared.ok) return refuse(prepared);
    try {
      // Durable before it takes effect: a crash after the door opened leaves the nonce spent.
      replay.record(
        env.nonce,
        env.id,
        Date.parse(env.expiresAt) + skewMs,
        Date.parse(env.issuedAt),
        quality === "unknown" ? undefined : now,
      );
    } catch (err) {
      return this.cacheFailure(err, id);
    }
    return router.run(env.id, prepared, { kind: "central", keyId: opened.kid });
  }

  /** Fail closed: without a replay cache nothing signed can be told from its replay. */
  private cacheFailure(err: unknown, labels: Partial<Rejection>): CommandReply {
    this.deps.log.error({ err }, "replay cache unavailable; command refused");
    return {
      id: labels.id ?? null,
      status: "error",
      code: "REPLAY_CACHE_UNAVAILABLE",
      data: { detail: "the station cannot record the nonce; nothing was done" },
    };
  }

  private respond(reply: CommandReply, packet: IPublishPacket | undefined): void {
    const body = JSON.stringify(reply);
    const log = (topic: string) => (err?: Error) => {
      if (err) this.deps.log.warn({ err: err.message, topic }, "command reply not acknowledged");
    };
    if (reply.id) {
      const topic = `${this.settings.base}/reply/${reply.id}`;
      this.deps.link.publish(topic, body, { qos: 1 }, log(topic));
    }
    const responseTopic = packet?.properties?.responseTopic;
    if (responseTopic && !/[+#]/.test(responseTopic)) {
      const correlationData = packet?.properties?.correlationData;
      this.deps.link.publish(
        responseTopic,
        body,
        { qos: 1, properties: correlationData ? { correlationData } : {} },
        log(responseTopic),
      );
    }
  }
}
