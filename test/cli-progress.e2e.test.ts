import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runCli } from "./support/child.ts";
import { writeStationFile } from "./support/station-file.ts";

/** Progress on long work through the real CLI: a bar on a terminal (a pty from `script`), lines elsewhere. */
const hasScript = spawnSync("script", ["--version"]).status === 0;

describe("progress on a CSV import", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-progress-"));
  const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1" });
  const csv = (name: string, from: number) => {
    const rows = Array.from(
      { length: 1200 },
      (_, i) => `04${(from + i).toString(16).padStart(6, "0")},p${from + i},worker,,,,no`,
    );
    const path = join(dir, name);
    writeFileSync(path, `uid,personId,role,validFrom,validUntil,schedule,face\n${rows.join("\n")}\n`);
    return path;
  };

  it("in a pipe: a plain line at each tenth, no carriage returns", async () => {
    const r = await runCli(["credentials", "import", csv("a.csv", 0x1000), "--config", file]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("checking"));
    expect(lines[0]).toBe("checking: 1/1200");
    expect(lines.at(-1)).toBe("checking: 1200 row(s) checked");
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(r.stderr).not.toContain("\r");
  });

  it.skipIf(!hasScript && !process.env.WAYSTATION_REQUIRE_REAL_STACK)(
    "on a terminal: a bar redrawn in place",
    () => {
      const cmd = [process.execPath, CLI, "credentials", "import", csv("b.csv", 0x9000), "--config", file]
        .map((w) => `'${w}'`)
        .join(" ");
      // script(1) gives the command a pty for stdin, stdout and stderr; what it printed comes back here
      const out = execFileSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", timeout: 60_000 });
      expect(out).toContain("\rchecking [########################] 1200/1200");
      expect(out).toContain("\r\u001b[Kchecking: 1200 row(s) checked");
      expect(out).toContain("imported 1200");
    },
  );
});
