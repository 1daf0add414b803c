import { z } from "zod";

/** The fleet broker connection: `mqtt` in the station file. */
export const mqttSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/, "an URL such as mqtt://host:1883 or mqtts://host:8883")
      .default("mqtt://127.0.0.1:1883")
      .describe("broker URL"),
    topicRoot: z.string().default("waystation/v1").describe("prefix of every topic; the contract is v1"),
    keepaliveS: z.number().int().min(5).max(600).default(30),
    protocolVersion: z
      .union([z.literal(5), z.literal(4)])
      .default(5)
      .describe("5 for MQTT 5 (default), 4 for MQTT 3.1.1 brokers"),
  })
  .strict()
  .default({ url: "mqtt://127.0.0.1:1883", topicRoot: "waystation/v1", keepaliveS: 30, protocolVersion: 5 });

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
