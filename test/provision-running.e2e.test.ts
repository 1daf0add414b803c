import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { consoleUsersFile, loadConsoleUsers } from "../controller/console/console-users.ts";
import { runCli, StationProcess } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";

/**
 * `provision` on a station that runs: console users take effect at once (read at each login);
 * a new station id takes the planned restart through the station's `restart` command, asked for
 * with --restart (the service's exit code 75, which the service manager restarts on).
 */
describe("provision on a running station", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-provision-run-"));
  let station: StationProcess | undefined;
  let file: string;
  const provision = async (...args: string[]) => {
    const r = await runCli(
      ["provision", "--config", file, "--json", "--password-stdin", ...args],
      "a-long-password-1234\n",
    );
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  afterAll(() => station?.kill());

  it("with no station running: takes effect at start", async () => {
    file = writeStationFile(dir, { brokerUrl: `mqtt://127.0.0.1:${await freePort()}` });
    expect(await provision("--user", "first")).toMatchObject({ running: false, effect: "at-start" });
  });

  it("a console user on the running station: in effect now, no restart", async () => {
    station = new StationProcess(["run", "--config", file]);
    await station.waitForLog("station ready", 30_000);
    const r = await provision("--user", "second", "--role", "viewer");
    expect(r).toMatchObject({ running: true, effect: "live", reasons: [] });
    const users = loadConsoleUsers(consoleUsersFile(loadConfigFile(file).dataDir));
    expect(users?.users.map((u) => u.name).sort()).toEqual(["first", "second"]);
    expect(station.proc.exitCode).toBeNull();
  }, 60_000);

  it("a new station id: a restart is needed and said; with --restart the station restarts through its command", async () => {
    const before = readFileSync(file, "utf8");
    const r = await provision("--user", "third", "--station-id", "pilot-7");
    expect(r).toMatchObject({ running: true, effect: "restart-needed" });
    expect(String((r.reasons as string[])[0])).toContain("now pilot-7");
    expect(station?.proc.exitCode).toBeNull();
    const again = await provision("--user", "third", "--replace", "--restart");
    expect(again).toMatchObject({ effect: "restarting", stationId: "pilot-7" });
    expect(await station?.exit(20_000)).toBe(75);
    expect(station?.logs().some((l) => l.msg === "restart requested by a command")).toBe(true);
    expect(readFileSync(file, "utf8")).not.toBe(before);
  }, 60_000);
});
