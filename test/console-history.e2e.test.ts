import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { send } from "../controller/console/console-test-kit.ts";
import type { StationEvent } from "../controller/contract/events.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { provisionStation } from "../scripts/commands/provision.ts";
import { runCli } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The event log reads the journal: a tap from the station's previous run is in the console's
 * /api/events (with its filters) and in `waystation events`, not only what happened since start.
 * The broker is unreachable here, so the journal keeps every event (nothing is acknowledged).
 */
describe("the event log's history, across a restart", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-history-e2e-"));
  const TECH = { user: "tech", password: "tech-password-1234" };
  let booted: BootedStation | undefined;
  let file: string;
  let port: number;

  afterAll(async () => {
    await booted?.stop();
  });

  const boot = async () =>
    bootStation({
      config: loadConfigFile(file),
      logger: pino({ level: "silent" }),
      configFile: file,
      pcscStack: "off",
      swingShutMs: 50,
    });

  it("shows the previous run's tap, filtered by type, text and time", async () => {
    port = await freePort();
    file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      console: `{ port: ${port}, language: en }`,
    });
    await provisionStation({
      configFile: file,
      role: "technician",
      replace: false,
      now: new Date(),
      ...TECH,
    });
    booted = await boot();
    const first: StationEvent[] = [];
    booted.station.bus.subscribe((e) => first.push(e));
    booted.sim?.control.tap("0BAD0001");
    await waitFor(() => first.find((e) => e.type === "access.denied"), "the tap", 10_000);
    const bootBefore = first[0]?.bootId;
    await booted.stop();
    booted = await boot();

    const host = `127.0.0.1:${port}`;
    const login = await send(port, {
      method: "POST",
      path: "/api/login",
      headers: { host, origin: `http://${host}`, "content-type": "application/json" },
      body: JSON.stringify(TECH),
    });
    expect(login.status).toBe(200);
    const set = login.headers["set-cookie"];
    const cookie = (Array.isArray(set) ? set[0] : set)?.split(";")[0] ?? "";
    const get = async (qs: string) => {
      const r = await send(port, { path: `/api/events?${qs}`, headers: { host, cookie } });
      expect(r.status).toBe(200);
      return JSON.parse(r.body) as StationEvent[];
    };
    const denied = await get("type=access.&limit=50");
    expect(denied.map((e) => e.type)).toEqual(["access.denied"]);
    expect(denied[0]?.bootId).toBe(bootBefore);
    expect(await get("q=entry&type=access.")).toHaveLength(1);
    expect(await get("q=no-such-text")).toEqual([]);
    expect(await get(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    // this run's start and the previous one's, newest first, one of each seq
    const all = await get("limit=1000");
    expect(new Set(all.map((e) => e.bootId)).size).toBe(2);
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => b - a));
    expect(new Set(all.map((e) => e.seq)).size).toBe(all.length);
    // and the CLI reads the same history
    const cli = await runCli(["events", "--config", file, "--type", "access.", "--text", "entry", "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(
      cli.stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as StationEvent).type),
    ).toEqual(["access.denied"]);
  }, 60_000);
});
