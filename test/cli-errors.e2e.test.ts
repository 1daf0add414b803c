import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/child.ts";

/** What a user can cause prints a reason and a hint, never a stack trace; an unknown option exits 2. */
const STACK = /\n\s+at /;

describe("the CLI on a user's mistake", () => {
  it("an unknown option to run: the option named, exit 2", async () => {
    const r = await runCli(["run", "--confg", "x.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--confg");
    expect(r.stderr).toContain("hint: waystation --help");
    expect(r.stderr).not.toMatch(STACK);
  });

  it("a missing argument: what is missing, exit 1", async () => {
    const r = await runCli(["sim", "contact"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("sim contact needs ok, stuck-closed or cut");
    expect(r.stderr).not.toMatch(STACK);
  });

  it("tail with a broker that is not a URL: the reason, exit 1 (it was mqtt's stack trace)", async () => {
    const r = await runCli(["tail", "--broker", "broker.local:1883", "--count", "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--broker is a broker URL: "broker.local:1883"');
    expect(r.stderr).toContain("hint:");
    expect(r.stderr).not.toMatch(STACK);
  });

  it("secrets init on an existing file leaves it as it is and says why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-cli-"));
    const file = join(dir, "secrets.yaml");
    expect((await runCli(["secrets", "init", file])).code).toBe(0);
    const before = readFileSync(file, "utf8");
    const again = await runCli(["secrets", "init", file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists; it was left as it is");
    expect(again.stderr).toContain("hint:");
    expect(again.stderr).not.toMatch(STACK);
    expect(readFileSync(file, "utf8")).toBe(before);
  });
});
