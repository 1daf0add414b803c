import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckLine } from "../../scripts/commands/doctor.ts";

/** Time paths that say the clock is synchronised (timesyncd's flag file present). */
export function synced(): { syncedFlag: string; rtcHctosys: string } {
  const d = mkdtempSync(join(tmpdir(), "ws-time-"));
  writeFileSync(join(d, "synchronized"), "");
  return { syncedFlag: join(d, "synchronized"), rtcHctosys: join(d, "none") };
}

/** An empty /proc: no other controller seen. */
export const noProcs = (): string => mkdtempSync(join(tmpdir(), "ws-proc-"));

export function check(checks: readonly CheckLine[], id: string): CheckLine {
  const c = checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${checks.map((x) => x.id).join(", ")}`);
  return c;
}
