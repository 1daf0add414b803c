import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without types
import { bundle } from "../scripts/build.mjs";

/**
 * The station's process has an 80 MB budget and tfjs alone needs hundreds: nothing the station
 * bundles may pull in human or tfjs (only the face process does). This builds the station's
 * bundle as `npm run build` does and looks at every byte of it.
 */
describe("the station's import graph", () => {
  it("carries no tfjs and no human: the face engine lives only in the face process", async () => {
    const out = mkdtempSync(join(tmpdir(), "ws-bundle-"));
    await bundle(join(import.meta.dirname, "..", "scripts", "cli.ts"), join(out, "waystation.mjs"));
    const files = readdirSync(out, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".mjs"));
    expect(files.length).toBeGreaterThan(1);
    const all = files.map((f) => readFileSync(join(out, f), "utf8")).join("\n");
    // the face subsystem is in the bundle...
    expect(all).toContain("face process");
    // ...but not the engine: no tfjs, no human, no model loader
    for (const banned of ["@tensorflow/tfjs", "human.node-wasm", "registerLoadRouter", "tfjs-backend-wasm"]) {
      expect(all.includes(banned), banned).toBe(false);
    }
  }, 60_000);
});
