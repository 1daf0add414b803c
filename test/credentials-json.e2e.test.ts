import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/child.ts";
import { writeStationFile } from "./support/station-file.ts";

/** `--json` on the credential commands that change the store: the shapes docs/cli.md promises. */
describe("credentials add | import | block | remove --json", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-credjson-"));
  const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1" });
  const cli = async (...args: string[]) => {
    const r = await runCli([...args, "--config", file, "--json"]);
    return { ...r, json: JSON.parse(r.stdout) as Record<string, unknown> };
  };
  const HASH = expect.stringMatching(/^[0-9a-f]{12}…$/);

  it("add: what was enrolled, never the number; a second add is refused as JSON, replaced with --replace", async () => {
    const r = await cli("credentials", "add", "04AA00BB", "--person", "w1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual({
      ok: true,
      action: "enrolled",
      personId: "w1",
      role: "worker",
      hash: HASH,
      credentials: 1,
    });
    expect(r.stdout).not.toContain("04AA00BB");
    const again = await cli("credentials", "add", "04AA00BB", "--person", "w2");
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({
      ok: false,
      code: "CREDENTIAL_EXISTS",
      hint: "pass --replace to replace it",
    });
    const replaced = await cli("credentials", "add", "04AA00BB", "--person", "w2", "--replace");
    expect(replaced.json).toMatchObject({
      ok: true,
      action: "replaced",
      personId: "w2",
      replacedPersonId: "w1",
    });
  });

  it("block and remove: the new status, or NOT_FOUND with exit 1", async () => {
    const b = await cli("credentials", "block", "04AA00BB");
    expect(b.code, b.stderr).toBe(0);
    expect(b.json).toEqual({ ok: true, hash: HASH, status: "blocked", credentials: 1 });
    const rm = await cli("credentials", "remove", "04AA00BB");
    expect(rm.json).toEqual({ ok: true, hash: HASH, status: "removed", credentials: 0 });
    const none = await cli("credentials", "remove", "04AA00BB");
    expect(none.code).toBe(1);
    expect(none.json).toEqual({ ok: false, hash: HASH, code: "NOT_FOUND" });
  });

  it("import: counts; the raw-number reminder stays on stderr so stdout is one object", async () => {
    const csv = join(dir, "in.csv");
    writeFileSync(csv, "04000001,a1,worker,,,,no\n04000002,a2,technician,,,,yes\n");
    const r = await cli("credentials", "import", csv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual({ ok: true, imported: 2, replaced: 0, credentials: 2 });
    expect(r.stderr).toContain("holds raw card numbers");
    const again = await cli("credentials", "import", csv);
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ ok: false, code: "CREDENTIAL_EXISTS" });
    const replaced = await cli("credentials", "import", csv, "--replace");
    expect(replaced.json).toEqual({ ok: true, imported: 2, replaced: 2, credentials: 2 });
  });

  it("count, forget and hash: --json too; hash finds the key through the station file", async () => {
    expect((await cli("credentials", "count")).json).toEqual({ ok: true, credentials: 2 });
    const f = await cli("credentials", "forget", "a1");
    expect(f.json).toEqual({ ok: true, personId: "a1", removed: 1, credentials: 1 });
    const h = await cli("credentials", "hash", "04000002");
    expect(h.code, h.stderr).toBe(0);
    const full = (h.json.hash as string) ?? "";
    expect(full).toMatch(/^[0-9a-f]{64}$/);
    // the same key as --secrets (the station file names secrets.yaml beside it)
    const s = await runCli(["credentials", "hash", "04000002", "--secrets", join(dir, "secrets.yaml")]);
    expect(s.stdout.trim()).toBe(full);
    const show = await cli("credentials", "show", "04000002");
    expect(show.json).toMatchObject([{ personId: "a2" }]);
    expect(String((show.json as unknown as { hash: string }[])[0]?.hash).slice(0, 12)).toBe(
      full.slice(0, 12),
    );
  });
});
