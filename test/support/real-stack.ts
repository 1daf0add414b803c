import { it } from "vitest";
import { findExecutable } from "../../scripts/executables.ts";

/**
 * Tests that need a real daemon find it here. Missing: the test is skipped with the install
 * command printed; with WAYSTATION_REQUIRE_REAL_STACK=1 (CI) a missing daemon is a failure.
 */
export interface Daemon {
  readonly name: string;
  readonly path: string | undefined;
  readonly install: string;
}

/** The full path of a binary, or undefined (PATH and the sbin directories). */
export const findBinary = findExecutable;

export function daemon(name: string, debianPackages: string): Daemon {
  return { name, path: findBinary(name), install: `sudo apt-get install -y ${debianPackages}` };
}

export const requireRealStack = process.env.WAYSTATION_REQUIRE_REAL_STACK === "1";

/**
 * Call at the top of a describe block. Returns true when every daemon is present; otherwise
 * registers one test that fails (CI) or is skipped with the install command in its name.
 */
export function realStackAvailable(...daemons: Daemon[]): boolean {
  const missing = daemons.filter((d) => !d.path);
  if (missing.length === 0) return true;
  const what = missing.map((d) => `${d.name} (install: ${d.install})`).join(", ");
  if (requireRealStack) {
    it(`needs ${what}`, () => {
      throw new Error(`WAYSTATION_REQUIRE_REAL_STACK=1 but missing: ${what}`);
    });
  } else {
    console.warn(`[real stack] skipping: missing ${what}`);
    it.skip(`skipped: missing ${what}`, () => {});
  }
  return false;
}
