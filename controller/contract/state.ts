import { z } from "zod";
import { CabinetStateSchema } from "./cabinet-events.ts";
import { CredentialListStateSchema } from "./credential-list-events.ts";
import { AccessStateSchema, DoorStateSchema } from "./door-state.ts";
import { FaceStateSchema } from "./face-events.ts";
import { OccupancyStateSchema } from "./occupancy-events.ts";
import { ModbusStateSchema, OutletStateSchema } from "./power-events.ts";
import { SafetyStateSchema } from "./safety-events.ts";
import { JournalStatusSchema } from "./telemetry.ts";

/** `status` (retained): is the controller alive. The Last Will flips it to online:false. */
export const StatusSchema = z.object({
  online: z.boolean(),
  stationId: z.string(),
  bootId: z.string(),
  version: z.string(),
  since: z.string().describe("ISO 8601 time this boot started"),
});
export type Status = z.output<typeof StatusSchema>;

/** `state` (retained): the full current snapshot, re-published on change. */
export const StateSchema = z.object({
  stationId: z.string(),
  bootId: z.string(),
  version: z.string(),
  ts: z.string(),
  door: DoorStateSchema,
  ...AccessStateSchema.shape,
  events: z.object({ lastSeq: z.number().int().min(0) }),
  journal: JournalStatusSchema,
  outlets: z.record(z.string(), OutletStateSchema).optional().describe("charging outlets, by id"),
  cabinet: CabinetStateSchema.optional().describe("the battery-swap cabinet"),
  safety: SafetyStateSchema.optional().describe("the station's safety coordinator"),
  modbus: ModbusStateSchema.optional().describe("RS-485 buses, by id"),
  occupancy: OccupancyStateSchema.optional(),
  face: FaceStateSchema.optional(),
  credentialList: CredentialListStateSchema.optional().describe(
    "the central credential list; present when remote management is configured",
  ),
  insecure: z
    .literal(true)
    .optional()
    .describe(
      "present while a setting that weakens the station is in force (e.g. mqtt.tls.allowInsecure); see the security.insecure-setting events",
    ),
});
export type StationState = z.output<typeof StateSchema>;

export function stationTopics(topicRoot: string, stationId: string) {
  const base = `${topicRoot}/${stationId}`;
  return {
    base,
    status: `${base}/status`,
    state: `${base}/state`,
    events: `${base}/events`,
    telemetry: `${base}/telemetry`,
    stateRequest: `${base}/state/get`,
    credentials: `${base}/credentials`,
    configDesired: `${base}/config/desired`,
    configReported: `${base}/config/reported`,
  } as const;
}
