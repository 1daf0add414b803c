import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("reapOnExit", () => {
  it("a child outlives a process that exits at once, unless it is reaped", () => {
    const script = (reap: boolean) => `
      import { spawn } from "node:child_process";
      import { reapOnExit } from ${JSON.stringify(new URL("./reap-on-exit.ts", import.meta.url).pathname)};
      const c = spawn("sleep", ["30"], { stdio: "ignore", detached: true });
      ${reap ? "reapOnExit(c);" : ""}
      console.log(c.pid);
      process.exit(1);
    `;
    const alive = (pid: number) => spawnSync("kill", ["-0", String(pid)]).status === 0;
    const run = (reap: boolean) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script(reap)], {
        encoding: "utf8",
      });
      return Number(r.stdout.trim());
    };
    const leaked = run(false);
    const reaped = run(true);
    try {
      expect(alive(leaked)).toBe(true);
      // SIGTERM is delivered before exit returns; the kernel may take a moment to end it
      const deadline = Date.now() + 5000;
      while (alive(reaped) && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
      expect(alive(reaped)).toBe(false);
    } finally {
      spawn("kill", [String(leaked)]);
    }
  });
});
