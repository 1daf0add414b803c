import { z } from "zod";

/** Attacks refused and insecure settings in force: what the central side audits. */
export const securityEvents = {
  "console.request-refused": z
    .object({
      reason: z.enum([
        "foreign-host",
        "foreign-origin",
        "cross-site",
        "not-json",
        "method",
        "too-many-streams",
      ]),
      method: z.string(),
      path: z.string().describe("the request path (no query string)"),
      refusedSinceLast: z
        .number()
        .int()
        .min(1)
        .describe("refused requests this event stands for (at most one event a minute is sent)"),
    })
    .describe("the technician console refused a request: cross-site, DNS-rebinding or a flood of streams"),
  "mqtt.packet-dropped": z
    .object({
      bytes: z.number().int().min(0).describe("the packet's size as its fixed header announced it"),
      limit: z.number().int().min(0),
      droppedTotal: z.number().int().min(1).describe("oversize packets dropped since start"),
    })
    .describe("a packet from the broker larger than mqtt.maxIncomingPacketBytes was skipped unread"),
  "security.insecure-setting": z
    .object({ setting: z.string(), detail: z.string() })
    .describe("the station runs with a setting that weakens it (emitted at every start)"),
} as const;
