import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { StationError } from "../../config/errors.ts";

const require = createRequire(import.meta.url);

/**
 * Where an installed package lives, found the way Node looks for it (its exports map may hide
 * package.json, and @vladmandic/human's does).
 */
export function packageDir(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    if (existsSync(join(dir, name, "package.json"))) return join(dir, name);
  }
  throw new StationError("FACE_ENGINE", "face", `the package ${name} is not installed`, { hint: "npm ci" });
}
