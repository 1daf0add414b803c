import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Imports point downward only: scripts -> controller | simulator -> device -> config.
 * The simulator never reaches into the controller; the controller never into the simulator.
 */
const ROOT = resolve(import.meta.dirname, "..");
const ALLOWED: Record<string, readonly string[]> = {
  config: ["config"],
  device: ["device", "config"],
  simulator: ["simulator", "device", "config"],
  controller: ["controller", "device", "config"],
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

describe("layering", () => {
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    it(`${layer}/ imports only from ${allowed.join(", ")}`, () => {
      const violations: string[] = [];
      for (const file of sources(join(ROOT, layer))) {
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
          const target = relative(ROOT, resolve(file, "..", m[1] ?? ""));
          const top = target.split("/")[0] ?? "";
          if (!allowed.includes(top)) violations.push(`${relative(ROOT, file)} -> ${target}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it("the controller never asks whether it is simulated", () => {
    const hits = sources(join(ROOT, "controller"))
      .filter((f) => !f.endsWith(".test.ts"))
      .filter((f) => /simulat/i.test(readFileSync(f, "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "")));
    expect(hits.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
