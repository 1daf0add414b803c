import { z } from "zod";

const brokerUrlSchema = z
  .string()
  .regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/, "an URL such as mqtt://host:1883 or mqtts://host:8883")
  // The station file is read by technicians and copied around; the secrets file is mode 0600.
  .refine((u) => !hasPassword(u), {
    message:
      "a password in the broker URL is refused: put mqtt.username and mqtt.password in the secrets file",
  });

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return /\/\/[^/@]*:[^/@]*@/.test(url);
  }
}

/** TLS is used for these schemes only; a `tls` block on any other would silently do nothing. */
export const isTlsUrl = (url: string): boolean => /^(mqtts|wss|ssl):/i.test(url);

const absolutePath = (what: string) =>
  z
    .string()
    .regex(/^\//, "an absolute path, e.g. /etc/waystation/tls/ca.pem")
    .describe(`${what} (PEM file, absolute path)`);

/** Where a simulated station looks for a broker when its file names none. */
export const DEFAULT_BROKER_URL = "mqtt://127.0.0.1:1883";

/** The broker the station connects to first. */
export const brokerUrl = (config: { mqtt: { url?: string | undefined } }): string =>
  config.mqtt.url ?? DEFAULT_BROKER_URL;

/**
 * The station's mqtt section when the demo runs its embedded broker (aedes, MQTT 3.1.1 only): the
 * demo connects this way, and `doctor` checks the broker the same way rather than failing a
 * working demo for the MQTT 5 it never asks for.
 */
export function embeddedBrokerMqtt<M extends { url?: string | undefined; protocolVersion: 4 | 5 }>(
  mqtt: M,
  broker: { host: string; port: number },
): M {
  return { ...mqtt, url: `mqtt://${broker.host}:${broker.port}`, protocolVersion: 4 };
}

/** The fleet broker connection: `mqtt` in the station file. */
export const mqttSchema = z
  .object({
    url: brokerUrlSchema
      .optional()
      .describe(
        `broker URL (the first one tried), e.g. mqtts://broker.example.net:8883. Required with hardware.mode: real; a simulated station falls back to ${DEFAULT_BROKER_URL}`,
      ),
    failoverUrls: z
      .array(brokerUrlSchema)
      .default([])
      .describe("further brokers of the same cluster, tried in turn when the current one cannot be reached"),
    topicRoot: z.string().default("waystation/v1").describe("prefix of every topic; the contract is v1"),
    clientId: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("MQTT client id; default waystation-<station id>. Stable, so the broker keeps the session"),
    keepaliveS: z.number().int().min(5).max(600).default(30),
    protocolVersion: z
      .union([z.literal(5), z.literal(4)])
      .default(5)
      .describe("5 for MQTT 5 (default), 4 for MQTT 3.1.1 brokers"),
    sessionExpiryS: z
      .number()
      .int()
      .min(0)
      .max(0xffffffff)
      .default(7 * 24 * 3600)
      .describe("MQTT 5: how long the broker keeps the station's session while it is away"),
    connectTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
    reconnect: z
      .object({
        baseMs: z
          .number()
          .int()
          .min(10)
          .default(2000)
          .describe("backoff base: attempt n waits a random time in [0, min(capMs, baseMs * 2^n)]"),
        capMs: z
          .number()
          .int()
          .min(10)
          .default(120_000)
          .describe("backoff cap; keep it large in a big fleet so a recovering broker is not stampeded"),
      })
      .strict()
      .prefault({})
      .describe("reconnect for ever, with exponential backoff and full jitter"),
    inFlight: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(256)
      .describe(
        "events published and not yet acknowledged, at most (lowered to the broker's receive maximum)",
      ),
    tls: z
      .object({
        ca: absolutePath("CA certificate(s) the broker's certificate must chain to").optional(),
        cert: absolutePath("client certificate, for mutual TLS").optional(),
        key: absolutePath("client private key, for mutual TLS").optional(),
        rejectUnauthorized: z
          .boolean()
          .default(true)
          .describe("refuse a broker whose certificate does not verify; never false on a station"),
        servername: z.string().optional().describe("TLS server name (SNI) when it differs from the URL host"),
        allowInsecure: z
          .boolean()
          .default(false)
          .describe(
            "needed for rejectUnauthorized: false on real hardware; the station then warns at every start and reports insecure in state",
          ),
      })
      .strict()
      .optional()
      .describe("TLS settings for mqtts:// URLs"),
    maxIncomingPacketBytes: z
      .number()
      .int()
      .min(4096)
      .max(268_435_455)
      .default(256 * 1024)
      .describe(
        "largest packet the station accepts from the broker (bytes); bigger ones are skipped unread and counted",
      ),
    stateDebounceMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(50)
      .describe("changes within this time are coalesced into one retained state message"),
    telemetry: z
      .object({
        heartbeatS: z
          .number()
          .int()
          .min(1)
          .max(86_400)
          .default(60)
          .describe("period of the telemetry heartbeat (journal backlog, dropped counter, link)"),
        minIntervalMs: z
          .number()
          .int()
          .min(100)
          .default(1000)
          .describe("report-by-exception messages are at most this frequent"),
        backlogStep: z
          .number()
          .int()
          .min(1)
          .default(1000)
          .describe("a change of the journal backlog by this much is reported at once"),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({})
  .refine((m) => !m.tls || Boolean(m.tls.cert) === Boolean(m.tls.key), {
    message: "mutual TLS needs both tls.cert and tls.key",
    path: ["tls"],
  })
  .refine((m) => !m.tls || [m.url, ...m.failoverUrls].every((u) => u === undefined || isTlsUrl(u)), {
    message: "a tls block needs mqtts:// (or wss://) broker URLs; with mqtt:// it would not be used at all",
    path: ["tls"],
  });

/** The demo's embedded broker: `broker` in the station file. */
export const brokerSchema = z
  .object({
    embedded: z.boolean().default(false).describe("run an embedded broker (demo only)"),
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(1).max(65535).default(1883),
  })
  .strict()
  .default({ embedded: false, host: "127.0.0.1", port: 1883 })
  .describe("embedded MQTT broker for the demo; stations use the fleet's broker");
