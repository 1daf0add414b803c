import mqtt from "mqtt";
import type { StationConfig } from "../../config/schema.ts";
import type { Secrets } from "../../config/secrets.ts";
import { brokerUrl, embeddedBrokerMqtt } from "../../config/sections/mqtt.ts";
import { tlsClientOptions } from "../../controller/mqtt/tls-options.ts";
import type { CheckCause, CheckResult } from "../../controller/subsystem.ts";
import type { LocalCheck } from "./local-checks.ts";

const BROKER_TIMEOUT_MS = 5000;

export const BROKER_CAUSES = {
  refused: {
    cause: "nothing listens at the broker's address",
    hint: "is the broker up, and mqtt.url right (host, port 1883 / 8883 for TLS)?",
  },
  dns: {
    cause: "the broker's host name does not resolve",
    hint: "check mqtt.url and the station's DNS (resolvectl status)",
  },
  credentials: {
    cause: "the broker refused the station's user name or password",
    hint: "check mqtt.username/password in the secrets file against the broker's password file",
  },
  version: {
    cause: "the broker does not speak the MQTT version offered",
    hint: "the broker speaks an older MQTT: set mqtt.protocolVersion: 4 (MQTT 3.1.1) in the station file",
  },
  tls: {
    cause: "the TLS handshake failed (wrong CA, name, or a clock far off)",
    hint: "check mqtt.tls.ca (the broker's CA) and mqtt.tls.servername; the clock must be right for certificates",
  },
  timeout: { cause: "no CONNACK in time", hint: "a firewall dropping packets, or not an MQTT port" },
  plaintext: {
    cause:
      "a real station talks to a remote broker without TLS: its password and events cross the network readable",
    hint: "use mqtts://host:8883 and set mqtt.tls.ca (docs/broker-acl.md)",
  },
  acl: {
    cause:
      "the broker let the station subscribe to another station's commands: no per-station ACL is in force",
    hint: "install the ACL of docs/broker-acl.md (pattern lines with %u, use_username_as_clientid true) and restart the broker",
  },
  tlsFile: { cause: "a file named in mqtt.tls cannot be read", hint: "check the paths in mqtt.tls" },
} as const satisfies Record<string, CheckCause>;

const fail = (c: CheckCause, detail: string, hint: string = c.hint): CheckResult => ({
  ok: false,
  detail,
  hint,
});

function isLoopback(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return h === "localhost" || h === "::1" || h === "[::1]" || h.startsWith("127.");
  } catch {
    return false;
  }
}

/**
 * The broker as the station will meet it: a CONNACK with the station's own credentials and TLS
 * settings, then the ACL — a subscription to another station's command topic must be refused
 * (SUBACK 0x80 / 0x87). On real hardware an open ACL and a plaintext remote broker fail; the
 * demo's embedded broker has neither and is reported as such.
 */
export function brokerCheck(
  config: StationConfig,
  secrets: () => Secrets | undefined,
  stationRunning: () => boolean = () => false,
): LocalCheck {
  return {
    id: "broker",
    title: "broker reachable (TLS), credentials accepted, ACL in force",
    causes: Object.values(BROKER_CAUSES),
    run: async () => {
      const m = config.broker.embedded ? embeddedBrokerMqtt(config.mqtt, config.broker) : config.mqtt;
      const real = config.hardware.mode === "real";
      const creds = secrets()?.mqtt;
      const url = brokerUrl({ mqtt: m });
      const tls = /^(mqtts|wss):/.test(url);
      if (real && !tls && !isLoopback(url)) return fail(BROKER_CAUSES.plaintext, `${url} is not encrypted`);
      if (creds && stationRunning()) {
        // Under use_username_as_clientid (docs/broker-acl.md) a second connection as the
        // station's user takes the running station's client id and resets its session.
        return {
          ok: true,
          skipped: true,
          detail: `the running station holds the broker session as ${creds.username}; connecting as it would take that session over: stop the station (systemctl stop waystation) to test the broker, or watch its status topic`,
        };
      }
      let options: mqtt.IClientOptions;
      try {
        options = {
          // its own client id and a clean session: never take over the running station's session
          clientId: `${m.clientId ?? `waystation-${config.station.id}`}-doctor`,
          protocolVersion: m.protocolVersion,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: BROKER_TIMEOUT_MS,
          log: () => {},
          ...(creds ? { username: creds.username, password: creds.password } : {}),
          ...tlsClientOptions(m.tls),
        };
      } catch (err) {
        return fail(BROKER_CAUSES.tlsFile, `cannot read a TLS file: ${String(err)}`);
      }
      const client = mqtt.connect(url, options);
      try {
        const connected = await new Promise<CheckResult | undefined>((done) => {
          const timer = setTimeout(
            () =>
              done(
                fail(BROKER_CAUSES.timeout, `no CONNACK from ${url} within ${BROKER_TIMEOUT_MS / 1000} s`),
              ),
            BROKER_TIMEOUT_MS + 500,
          );
          client.once("connect", () => {
            clearTimeout(timer);
            done(undefined);
          });
          client.once("error", (err: Error & { code?: string | number }) => {
            clearTimeout(timer);
            done(brokerFailure(url, err, Boolean(creds)));
          });
        });
        if (connected) return connected;
        const as = `${url}: CONNACK accepted${creds ? ` as ${creds.username}` : ""}${tls ? " over TLS" : ""}`;
        const acl = await aclProbe(client, `${m.topicRoot}/${config.station.id}-acl-probe/cmd`);
        if (acl === "open") {
          const detail = `${as}, but the broker granted a subscription to another station's commands`;
          return real
            ? fail(BROKER_CAUSES.acl, detail)
            : { ok: true, detail: `${detail} (no ACL: fine for a simulated station's broker)` };
        }
        return { ok: true, detail: `${as}; another station's topics refused (ACL in force)` };
      } finally {
        client.end(true);
      }
    },
  };
}

const ECHO_MS = 2000;

/**
 * Try to read and write where this station may not: subscribe to another (non-existent)
 * station's command topic and publish there. A SUBACK refusal, a refused publish, or our own
 * message never coming back means an ACL stands between stations ("closed"). Mosquitto grants
 * such a subscription and filters at delivery, so the echo is what tells.
 */
async function aclProbe(client: mqtt.MqttClient, topic: string): Promise<"open" | "closed"> {
  const within = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms))]);
  try {
    const granted = await within(client.subscribeAsync(topic, { qos: 1 }), BROKER_TIMEOUT_MS);
    if (!granted.some((g) => g.qos < 128)) return "closed";
    const echoed = new Promise<void>((resolve) => {
      client.on("message", (t) => {
        if (t === topic) resolve();
      });
    });
    await within(
      client.publishAsync(topic, JSON.stringify({ probe: "waystation doctor: ACL check" }), { qos: 1 }),
      BROKER_TIMEOUT_MS,
    );
    await within(echoed, ECHO_MS);
    return "open";
  } catch {
    return "closed"; // refused, dropped, or never delivered back
  } finally {
    await within(client.unsubscribeAsync(topic), 1000).catch(() => undefined);
  }
}

function brokerFailure(url: string, err: Error & { code?: string | number }, hasCreds: boolean): CheckResult {
  const code = err.code;
  if (code === "ECONNREFUSED") return fail(BROKER_CAUSES.refused, `nothing listens at ${url}`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return fail(BROKER_CAUSES.dns, `cannot resolve the broker's host in ${url}`);
  if (
    code === 4 ||
    code === 5 ||
    code === 134 ||
    code === 135 ||
    /not authori[sz]ed|bad user/i.test(err.message)
  ) {
    return fail(
      BROKER_CAUSES.credentials,
      `the broker refused the station's credentials (${err.message})`,
      hasCreds
        ? BROKER_CAUSES.credentials.hint
        : "the broker wants credentials: add mqtt.username and mqtt.password to the secrets file",
    );
  }
  if (code === 1 || /unacceptable protocol version/i.test(err.message))
    return fail(BROKER_CAUSES.version, `${url} refused the MQTT version offered: ${err.message}`);
  if (/certificate|self.signed|SSL|TLS|EPROTO/i.test(`${code} ${err.message}`))
    return fail(BROKER_CAUSES.tls, `TLS failed with ${url}: ${err.message}`);
  return { ok: false, detail: `${url}: ${err.message}`, hint: "check mqtt.url and the network" };
}
