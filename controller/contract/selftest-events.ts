import { z } from "zod";

const item = z.object({
  id: z.string().describe("the step, e.g. entrance.lock-pulse or entrance.reader.entry"),
  ok: z.boolean(),
  skipped: z.boolean().optional().describe("the step could not apply here; neither pass nor fail"),
  detail: z.string(),
});

/** Commissioning: `waystation selftest` exercises the hardware of the running station. */
export const selftestEvents = {
  "selftest.started": z
    .object({
      reportId: z.string(),
      attended: z.boolean().describe("a technician at the station acts when asked (opens the door)"),
      steps: z.number().int().min(0),
    })
    .describe("a selftest began; the lock pulses and the readers signal during it"),
  "selftest.completed": z
    .object({
      reportId: z.string(),
      ok: z.boolean().describe("every step passed (skipped steps do not fail it)"),
      passed: z.number().int().min(0),
      failed: z.number().int().min(0),
      skipped: z.number().int().min(0),
      items: z.array(item),
      file: z.string().describe("the commissioning report's JSON file, relative to the data directory"),
    })
    .describe("the commissioning report: pass/fail per item, kept in the data directory"),
} as const;
