import type { IClientPublishOptions, IPublishPacket } from "mqtt";
import type { Logger } from "pino";
import type { z } from "zod";
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

interface WindowEnvelope {
  id: string;
  station: string;
  issuedAt: string;
  expiresAt: string;
  nonce: string;
}

/** An envelope that passed key, signature, shape, station, window and replay; `spend` records its nonce. */
export interface Verified<T> {
  ok: true;
  env: T;
  kid: string;
  spend(): Rejection | undefined;
}

/** What the `credentials` topic does with a verified list message (credential-list-intake.ts). */
export type SignedHandler = (payload: Buffer, topic: string) => Promise<CommandReply>;

/**
 * Signed messages from the centre: every check of docs/central-integration.md in order, the nonce
 * made durable before anything takes effect, and a reply for every message — accepted or not — on
 * `reply/<id>` and on the MQTT 5 response topic with the request's correlation data.
 */
export class CommandIntake {
  private readonly keys: KeyRing;
  private running = false;
  private readonly extra = new Map<string, SignedHandler>();

  constructor(
    private readonly settings: RemoteConfig & { stationId: string; base: string },
    private readonly deps: IntakeDeps,
  ) {
    this.keys = new KeyRing(settings.keys);
  }

  /** Another signed topic under the station's root (`credentials`), with the same replies. */
  handle(suffix: string, handler: SignedHandler): void {
    this.extra.set(`${this.settings.base}/${suffix}`, handler);
  }

  start(): void {
    this.running = true;
    const on = (filter: string, process: (topic: string, payload: Buffer) => Promise<CommandReply>) => {
      this.deps.link.subscribe(filter, (topic, payload, packet) => {
        // The link has no unsubscribe; a stopped intake ignores what still arrives.
        if (!this.running) return;
        process(topic, payload).then(
          (reply) => this.respond(reply, packet),
          (err) => this.deps.log.error({ err, topic }, "signed message handling failed"),
        );
      });
    };
    on(`${this.settings.base}/cmd/+`, (topic, payload) =>
      this.command(topic.slice(`${this.settings.base}/cmd/`.length), payload),
    );
    for (const [topic, handler] of this.extra) on(topic, (t, payload) => handler(payload, t));
  }

  stop(): void {
    this.running = false;
  }

  /** Audit a rejection and make its reply (for handlers of other topics). */
  refuse(r: Rejection): CommandReply {
    return this.deps.router.rejected(r, "mqtt");
  }

  /** Key, signature, envelope shape, station, window and replay; nothing is recorded yet. */
  verify<T extends WindowEnvelope>(payload: Buffer, schema: z.ZodType<T>): Verified<T> | Rejection {
    const { replay, clock } = this.deps;
    const s = this.settings;
    const opened = openSigned(payload, this.keys, s.maxMessageBytes);
    if (!opened.ok) return opened;
    const parsed = schema.safeParse(opened.body);
    if (!parsed.success) return reject("BAD_ENVELOPE", describeIssues(parsed.error), { kid: opened.kid });
    const env = parsed.data;
    const quality = this.deps.timeQuality();
    const now = clock.now();
    const skewMs = s.skewS * 1000;
    const labels = { kid: opened.kid, id: env.id };
    let rejection: Rejection | undefined;
    try {
      rejection = checkWindow(env, {
        stationId: s.stationId,
        now,
        timeQuality: quality,
        skewMs,
        maxLifetimeMs: s.maxLifetimeS * 1000,
        highWater: replay.highWater,
        seen: (nonce) => replay.seen(nonce),
      });
    } catch (err) {
      return this.cacheRejection(err, labels);
    }
    if (rejection) return { ...rejection, ...labels };
    return {
      ok: true,
      env,
      kid: opened.kid,
      spend: () => {
        try {
          // Durable before it takes effect: a crash after the door opened leaves the nonce spent.
          replay.record(
            env.nonce,
            env.id,
            Date.parse(env.expiresAt) + skewMs,
            Date.parse(env.issuedAt),
            quality === "unknown" ? undefined : now,
          );
          return undefined;
        } catch (err) {
          return this.cacheRejection(err, labels);
        }
      },
    };
  }

  private async command(topicName: string, payload: Buffer): Promise<CommandReply> {
    const { router } = this.deps;
    const v = this.verify(payload, CommandEnvelopeSchema);
    if (!v.ok) return this.refuse(v);
    const labels = { kid: v.kid, id: v.env.id, name: v.env.name };
    if (v.env.name !== topicName) {
      return this.refuse(
        reject("NAME_MISMATCH", `sent on cmd/${topicName} but names "${v.env.name}"`, labels),
      );
    }
    const prepared = router.prepare(v.env.name, v.env.args, labels);
    if (!prepared.ok) return this.refuse(prepared);
    const failed = v.spend();
    if (failed) return this.refuse(failed);
    return router.run(v.env.id, prepared, { kind: "central", keyId: v.kid });
  }

  /** Fail closed: without a replay cache nothing signed can be told from its replay. */
  private cacheRejection(err: unknown, labels: Partial<Rejection>): Rejection {
    this.deps.log.error({ err }, "replay cache unavailable; message refused");
    return reject(
      "REPLAY_CACHE_UNAVAILABLE",
      "the station cannot record the nonce; nothing was done",
      labels,
    );
  }

  private respond(reply: CommandReply, packet: IPublishPacket | undefined): void {
    const body = JSON.stringify(reply);
    const log = (topic: string) => (err?: Error) => {
      if (err) this.deps.log.warn({ err: err.message, topic }, "reply not acknowledged");
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
