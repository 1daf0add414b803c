import { z } from "zod";

/**
 * `config/desired` (retained): a signed envelope (the same wrapper as commands) whose
 * `version` only ever grows. It carries no expiry and no nonce: a retained message must still
 * apply after the station was offline for a week, and a replay of an older one is refused by
 * its version instead.
 */
export const DesiredConfigEnvelopeSchema = z
  .object({
    kind: z.literal("config"),
    id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/),
    station: z.string().min(1).max(64),
    issuedAt: z.string(),
    version: z.number().int().min(1),
    config: z
      .record(z.string(), z.unknown())
      .describe("sections of the station file to set: door, access (whole sections, merged key by key)"),
  })
  .strict();
export type DesiredConfigEnvelope = z.output<typeof DesiredConfigEnvelopeSchema>;

export const ConfigIssueSchema = z.object({ path: z.string(), message: z.string() });

/** `config/reported` (retained): what the station runs, or why it refused what was desired. */
export const ReportedConfigSchema = z.object({
  version: z.number().int().min(0).describe("the desired version in effect (0: only the station file)"),
  status: z.enum(["applied", "pending-restart", "rejected", "file-only"]),
  desiredVersion: z.number().int().optional().describe("the version this report answers"),
  errors: z.array(ConfigIssueSchema).optional().describe("why the desired version was refused, by path"),
  changed: z.array(z.string()).optional().describe("the paths the desired version changes"),
  ts: z.string(),
});
export type ReportedConfig = z.output<typeof ReportedConfigSchema>;
