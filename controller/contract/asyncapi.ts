import { stringify } from "yaml";
import { z } from "zod";
import {
  CommandEnvelopeSchema,
  CommandReplySchema,
  CredentialListEnvelopeSchema,
  SignedMessageSchema,
} from "./command-wire.ts";
import { DesiredConfigEnvelopeSchema, ReportedConfigSchema } from "./config-wire.ts";
import { EVENT_TYPES, eventMessageSchema } from "./event-schema.ts";
import { StateSchema, StatusSchema } from "./state.ts";
import { TelemetrySchema } from "./telemetry.ts";

type Json = Record<string, unknown>;

/**
 * JSON Schema (draft-07, which AsyncAPI's schema format extends) of a zod type. Input mode: no
 * `additionalProperties: false`, so a consumer written today accepts a field added in v1 later.
 */
function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: "draft-7", io: "input" }) as Json;
  return rest;
}

const MQTT_BINDING = "0.2.0";
const ROOT = "waystation/v1/{stationId}";
const stationIdParam = {
  stationId: { description: "the station's id (`station.id` in its file): one topic level" },
};

function op(channel: string, action: "send" | "receive", qos: 0 | 1, retain: boolean, summary: string): Json {
  return {
    action,
    channel: { $ref: `#/channels/${channel}` },
    summary,
    bindings: { mqtt: { qos, retain, bindingVersion: MQTT_BINDING } },
  };
}

function messageKey(type: string): string {
  return `event.${type}`;
}

/**
 * The published contract as an AsyncAPI 3 document. Every payload schema is generated from the
 * zod types the station itself uses (controller/contract/), so the document cannot drift from
 * the code; `waystation contract asyncapi --write` writes docs/asyncapi.yaml and a test keeps
 * the file in sync.
 */
export function asyncApiDocument(): Json {
  const eventMessages: Json = {};
  for (const t of EVENT_TYPES) {
    const schema = eventMessageSchema(t);
    eventMessages[messageKey(t)] = {
      name: t,
      title: t,
      summary: schema.description ?? t,
      contentType: "application/json",
      payload: jsonSchema(schema),
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Waystation station MQTT contract",
      version: "1.0.0",
      description: [
        "What one Waystation station publishes to, and reads from, the fleet's MQTT broker.",
        "Payloads are JSON (UTF-8). The station publishes every event from its fsync'd journal with",
        "QoS 1 and removes it only when the broker has acknowledged it: an event may arrive twice",
        "(same `id`), never not at all. `seq` increases by one per event per station, across",
        "restarts; a gap is explained by a `journal.dropped` event. Events sent late (after an",
        "outage or a restart) carry `replayed: true`. See docs/mqtt-contract.md.",
      ].join("\n"),
    },
    defaultContentType: "application/json",
    servers: {
      fleet: {
        host: "broker.example.net:8883",
        protocol: "secure-mqtt",
        protocolVersion: "5",
        description:
          "The fleet's broker (MQTT 5 by default, 3.1.1 by config; TLS and mutual TLS). Each station connects as `waystation-<stationId>` with a persistent session and a Last Will on `status`.",
        bindings: {
          mqtt: {
            cleanSession: false,
            lastWill: {
              topic: `${ROOT}/status`,
              qos: 1,
              retain: true,
              message: "the station's status with online: false",
            },
            keepAlive: 30,
            bindingVersion: MQTT_BINDING,
          },
        },
      },
    },
    channels: {
      status: {
        address: `${ROOT}/status`,
        title: "status",
        description: "Retained. Is the controller alive; its Last Will sets online to false.",
        parameters: stationIdParam,
        messages: { status: { $ref: "#/components/messages/status" } },
      },
      state: {
        address: `${ROOT}/state`,
        title: "state",
        description:
          "Retained. The full current snapshot, re-published on change (debounced), at every connect and on request.",
        parameters: stationIdParam,
        messages: { state: { $ref: "#/components/messages/state" } },
      },
      events: {
        address: `${ROOT}/events`,
        title: "events",
        description: "QoS 1, from the journal. One message per event; `type` says which.",
        parameters: stationIdParam,
        messages: Object.fromEntries(
          EVENT_TYPES.map((t) => [messageKey(t), { $ref: `#/components/messages/${messageKey(t)}` }]),
        ),
      },
      telemetry: {
        address: `${ROOT}/telemetry`,
        title: "telemetry",
        description:
          "QoS 0. A heartbeat every mqtt.telemetry.heartbeatS, and a report as soon as something watched changes.",
        parameters: stationIdParam,
        messages: { telemetry: { $ref: "#/components/messages/telemetry" } },
      },
      stateRequest: {
        address: `${ROOT}/state/get`,
        title: "state request",
        description:
          "Any message here makes the station re-publish its retained state. It changes nothing, so it needs no signature.",
        parameters: stationIdParam,
        messages: { stateRequest: { $ref: "#/components/messages/stateRequest" } },
      },
      command: {
        address: `${ROOT}/cmd/{name}`,
        title: "command",
        description:
          "QoS 1. A signed command (docs/central-integration.md): the envelope's exact bytes in base64url and the Ed25519 signature over them. Give an MQTT 5 response topic and correlation data to hear about messages the station cannot read.",
        parameters: {
          ...stationIdParam,
          name: { description: "the command's name; must equal the envelope's `name`" },
        },
        messages: { command: { $ref: "#/components/messages/command" } },
      },
      reply: {
        address: `${ROOT}/reply/{commandId}`,
        title: "reply",
        description:
          "QoS 1. The answer to every command, accepted or rejected (also sent to the request's MQTT 5 response topic).",
        parameters: { ...stationIdParam, commandId: { description: "the command's `id`" } },
        messages: { reply: { $ref: "#/components/messages/reply" } },
      },
      credentials: {
        address: `${ROOT}/credentials`,
        title: "credential list",
        description:
          "QoS 1. A signed credential list or one chunk of it (full or delta, listVersion); each chunk is answered on reply/<id>.",
        parameters: stationIdParam,
        messages: { credentialList: { $ref: "#/components/messages/credentialList" } },
      },
      configDesired: {
        address: `${ROOT}/config/desired`,
        title: "desired config",
        description: "QoS 1, retained. A signed, versioned desired configuration (door, access).",
        parameters: stationIdParam,
        messages: { desiredConfig: { $ref: "#/components/messages/desiredConfig" } },
      },
      configReported: {
        address: `${ROOT}/config/reported`,
        title: "reported config",
        description:
          "QoS 1, retained. The configuration version in effect, or why the desired one was refused.",
        parameters: stationIdParam,
        messages: { reportedConfig: { $ref: "#/components/messages/reportedConfig" } },
      },
    },
    operations: {
      publishStatus: op("status", "send", 1, true, "the station says whether it is online"),
      publishState: op("state", "send", 1, true, "the station publishes its state"),
      publishEvents: {
        ...op("events", "send", 1, false, "the station publishes its journal"),
        messages: EVENT_TYPES.map((t) => ({ $ref: `#/channels/events/messages/${messageKey(t)}` })),
      },
      publishTelemetry: op("telemetry", "send", 0, false, "the station reports its metrics"),
      receiveStateRequest: op("stateRequest", "receive", 1, false, "the centre asks for the state"),
      receiveCommand: op("command", "receive", 1, false, "the centre sends a signed command"),
      publishReply: op("reply", "send", 1, false, "the station answers a command"),
      receiveCredentialList: op("credentials", "receive", 1, false, "the centre sends a credential list"),
      receiveDesiredConfig: op("configDesired", "receive", 1, true, "the centre sets the desired config"),
      publishReportedConfig: op("configReported", "send", 1, true, "the station reports its config"),
    },
    components: {
      messages: {
        status: {
          name: "status",
          title: "status",
          contentType: "application/json",
          payload: jsonSchema(StatusSchema),
        },
        state: {
          name: "state",
          title: "state",
          contentType: "application/json",
          payload: jsonSchema(StateSchema),
        },
        telemetry: {
          name: "telemetry",
          title: "telemetry",
          contentType: "application/json",
          payload: jsonSchema(TelemetrySchema),
        },
        stateRequest: {
          name: "stateRequest",
          title: "state request",
          summary: "any payload (empty is fine); it is ignored",
          payload: {},
        },
        command: {
          name: "command",
          title: "signed command",
          summary: "the signed message; its `envelope` decodes to the command envelope (x-envelope)",
          contentType: "application/json",
          payload: jsonSchema(SignedMessageSchema),
          "x-envelope": jsonSchema(CommandEnvelopeSchema),
        },
        reply: {
          name: "reply",
          title: "command reply",
          contentType: "application/json",
          payload: jsonSchema(CommandReplySchema),
        },
        credentialList: {
          name: "credentialList",
          title: "signed credential list",
          summary: "the signed message; its `envelope` decodes to the list envelope (x-envelope)",
          contentType: "application/json",
          payload: jsonSchema(SignedMessageSchema),
          "x-envelope": jsonSchema(CredentialListEnvelopeSchema),
        },
        desiredConfig: {
          name: "desiredConfig",
          title: "signed desired config",
          summary: "the signed message; its `envelope` decodes to the config envelope (x-envelope)",
          contentType: "application/json",
          payload: jsonSchema(SignedMessageSchema),
          "x-envelope": jsonSchema(DesiredConfigEnvelopeSchema),
        },
        reportedConfig: {
          name: "reportedConfig",
          title: "reported config",
          contentType: "application/json",
          payload: jsonSchema(ReportedConfigSchema),
        },
        ...eventMessages,
      },
    },
  };
}

export function asyncApiYaml(): string {
  return [
    "# Generated from the zod types in controller/contract/ by",
    "# `waystation contract asyncapi --write`. Do not edit: change the types and regenerate.",
    stringify(asyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false }),
  ].join("\n");
}
