import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { doctorCatalogue } from "../scripts/doctor/catalogue.ts";
import { troubleshootingMarkdown } from "../scripts/doctor/troubleshooting.ts";

/** docs/troubleshooting.md is generated from the doctor checks' definitions, like the AsyncAPI doc. */
describe("docs/troubleshooting.md", () => {
  it("is in sync with the checks (regenerate: waystation doctor --troubleshooting --write)", async () => {
    const entries = await doctorCatalogue();
    const doc = readFileSync(resolve(import.meta.dirname, "..", "docs", "troubleshooting.md"), "utf8");
    expect(doc).toBe(troubleshootingMarkdown(entries));
    // doctor's own checks and the running station's subsystems' checks, found, not listed by hand
    const ids = entries.map((e) => e.id);
    for (const id of [
      "config",
      "secrets",
      "broker",
      "serial",
      "camera",
      "clock",
      "disk",
      "journal",
      "instance",
    ])
      expect(ids).toContain(id);
    expect(entries.filter((e) => e.where.startsWith("the station")).length).toBeGreaterThanOrEqual(3);
    // every check, doctor's own and the station's: a check without causes has no row in the doc
    for (const e of entries) expect(e.causes.length, `${e.id} declares how it fails`).toBeGreaterThan(0);
  }, 60_000);
});
