import { randomBytes } from "node:crypto";
import mqtt from "mqtt";
import { StationError } from "../../config/errors.ts";

export interface SendOptions {
  broker: string;
  topic: string;
  payload: string;
  /** where the station's reply appears (reply/<id>), when the message has an id */
  replyTopic?: string | undefined;
  timeoutMs: number;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Publish one signed message and wait for the station's answer: on `reply/<id>` and on an MQTT 5
 * response topic of our own (the only way to hear about a message the station could not read).
 */
export async function sendAndWait(opts: SendOptions): Promise<Record<string, unknown>> {
  const client = await mqtt
    .connectAsync(opts.broker, {
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: opts.timeoutMs,
      ...(opts.username ? { username: opts.username, password: opts.password } : {}),
    })
    .catch((cause: unknown) => {
      throw new StationError("MQTT_CONNECT", "cli", `cannot connect to ${opts.broker}`, {
        cause,
        hint: "check --broker and the broker's credentials",
      });
    });
  try {
    const correlationData = randomBytes(12);
    const responseTopic = `waystation-central/responses/${correlationData.toString("hex")}`;
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(
        () =>
          reject(
            new StationError("NO_REPLY", "cli", `no reply within ${opts.timeoutMs} ms`, {
              hint: "is the station online, and does its file have a `remote` section?",
            }),
          ),
        opts.timeoutMs,
      );
      client.on("message", (topic, payload, packet) => {
        const mine =
          topic === opts.replyTopic ||
          (topic === responseTopic && packet.properties?.correlationData?.equals(correlationData));
        if (!mine) return;
        clearTimeout(t);
        try {
          resolve(JSON.parse(payload.toString("utf8")) as Record<string, unknown>);
        } catch {
          resolve({ raw: payload.toString("utf8") });
        }
      });
    });
    await client.subscribeAsync([responseTopic, ...(opts.replyTopic ? [opts.replyTopic] : [])], { qos: 1 });
    await client.publishAsync(opts.topic, opts.payload, {
      qos: 1,
      properties: { responseTopic, correlationData },
    });
    return await answer;
  } finally {
    await client.endAsync();
  }
}
