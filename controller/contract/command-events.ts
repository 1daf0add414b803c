import { z } from "zod";

const principal = z
  .string()
  .describe(
    "who asked: `central:<kid>` (a command signed by that key) or `local:<via>` (the technician at the console or CLI)",
  );

/** The command router's audit trail: every command, remote or local, leaves one of these. */
export const commandEvents = {
  "cmd.executed": z
    .object({
      commandId: z.string(),
      name: z.string(),
      principal,
      status: z.enum(["ok", "error"]),
      code: z.string().describe("OK, or why the command could not do what it asked"),
    })
    .describe("a command passed every check and ran"),
  "cmd.rejected": z
    .object({
      commandId: z.string().optional().describe("absent when no id could be read"),
      name: z.string().optional(),
      kid: z.string().optional(),
      principal: principal.optional(),
      source: z.enum(["mqtt", "local"]),
      code: z.string().describe("the rejection reason (docs/central-integration.md lists them)"),
      detail: z.string(),
      suppressed: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe("rejections not journalled one by one since the last of these events (flood guard)"),
    })
    .describe("a command was refused; nothing changed"),
} as const;
