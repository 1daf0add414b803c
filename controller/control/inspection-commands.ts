import { z } from "zod";
import type { StationState } from "../contract/state.ts";
import type { CheckResult, CommandSpec, DoctorCheck, Subsystem } from "../subsystem.ts";
import { defineCommand } from "../subsystem.ts";

/** What the station's inspection commands read. */
export interface InspectionHost {
  state(): StationState;
  commands(): readonly { name: string; summary: string }[];
  readonly subsystems: readonly Subsystem[];
}

const CHECK_LIMIT_MS = 10_000;

/** A check that throws or hangs is a failed check, never a stuck doctor. */
async function bounded(c: DoctorCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: "no answer within 10 s" }), CHECK_LIMIT_MS);
  });
  const failed = (err: unknown): CheckResult => ({
    ok: false,
    detail: err instanceof Error ? err.message : String(err),
  });
  try {
    return await Promise.race([c.run().catch(failed), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Commands every station answers, whatever its subsystems: its state, its commands, its doctor. */
export function inspectionCommands(host: InspectionHost): CommandSpec[] {
  return [
    defineCommand({
      name: "status",
      summary: "the station's current state (door, lock, readers, journal)",
      args: z.object({}).strict(),
      run: async () => ({ status: "ok", data: host.state() }),
    }),
    defineCommand({
      name: "commands",
      summary: "the commands this station accepts",
      args: z.object({}).strict(),
      run: async () => ({
        status: "ok",
        data: host.commands(),
      }),
    }),
    defineCommand({
      name: "doctor",
      summary: "every subsystem's doctor checks, run inside the station (GPIO, readers, ...)",
      args: z.object({}).strict(),
      run: async () => {
        const checks = [];
        for (const s of host.subsystems) {
          for (const c of s.doctorChecks ?? []) {
            const r = await bounded(c);
            checks.push({ id: c.id, title: c.title, subsystem: s.name, ...r });
          }
        }
        return { status: "ok", data: { checks } };
      },
    }),
  ];
}
