import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without types
import { bundle } from "../scripts/build.mjs";

/**
 * What the station's bundle leaves out for its memory budget (docs/design-notes.md,
 * "station.rss"): johnny-five's REPL, which would load node's repl, readline, vm, domain and acorn
 * into every station with an I/O board.
 */
describe("the station's bundle and its memory", () => {
  it("carries johnny-five's Board without its REPL", async () => {
    const out = mkdtempSync(join(tmpdir(), "ws-bundle-mem-"));
    await bundle(join(import.meta.dirname, "..", "scripts", "cli.ts"), join(out, "waystation.mjs"));
    const files = readdirSync(out, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".mjs"));
    const board = files.map((f) => readFileSync(join(out, f), "utf8")).find((t) => t.includes("Repl.ref"));
    expect(board, "johnny-five's board.js is bundled").toBeDefined();
    expect(board).toContain("the johnny-five REPL is not in the station bundle");
    expect(board).not.toMatch(/require\(["']repl["']\)/);
  }, 60_000);
});
