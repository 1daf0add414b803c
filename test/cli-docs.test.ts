import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_TABLE } from "../scripts/cli/exit-codes.ts";

describe("docs/cli.md", () => {
  it("documents every exit code as the CLI defines it", () => {
    const doc = readFileSync(resolve(import.meta.dirname, "..", "docs", "cli.md"), "utf8");
    const rows = [...doc.matchAll(/^\|\s*(\d+)\s*\|\s*(.+?)\s*\|$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(EXIT_TABLE.map(([c, t]) => [c, t]));
  });
});
