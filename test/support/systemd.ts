import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * systemd-analyze verify, with the unit's two executables pointed at ones that exist here
 * (verify checks that every Exec*= command is executable). Returns what it printed.
 */
export function verifyUnit(
  unitText: string,
  waystationBin?: string,
): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "ws-unit-"));
  let bin = waystationBin;
  if (!bin) {
    bin = join(dir, "waystation");
    writeFileSync(bin, "#!/bin/sh\n");
    chmodSync(bin, 0o755);
  }
  const unit = join(dir, "waystation.service");
  writeFileSync(
    unit,
    unitText.replaceAll("/usr/bin/waystation", bin).replaceAll("/usr/bin/node", process.execPath),
  );
  const r = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
