import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository (package) root, found by walking up to our package.json: this module runs from
 * scripts/ under tsx and from dist/ or dist/chunks/ when bundled.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "waystation"
    ) {
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the waystation package root");
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
