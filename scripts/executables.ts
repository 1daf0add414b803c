import { accessSync, constants } from "node:fs";
import { join } from "node:path";

/** Daemons live in sbin, which a non-root PATH often lacks. */
const EXTRA_DIRS = ["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin", "/usr/local/bin"];

/** The full path of an executable on PATH or in the usual system directories. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":").filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
