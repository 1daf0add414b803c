import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { sendControl } from "../scripts/control-client.ts";
import { captureLogger } from "./support/capture-log.ts";
import { runCli, startCli } from "./support/child.ts";
import { freePort } from "./support/net.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

/**
 * Enrolment that cannot go quietly wrong, through the real CLI against a running simulated
 * station: a card read at the reader (its kind shown, never its number), each mistake refused.
 */
const STACK = /\n\s+at /;
const UID = "04C0FFEE";

describe("enrolment", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-enrol-"));
  let file: string;
  let booted: BootedStation;
  const cli = (...args: string[]) => runCli([...args, "--config", file]);

  beforeAll(async () => {
    file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      extra:
        "access: { rereadSuppressMs: 0, schedules: { night-shift: [{ from: '20:00', to: '08:00' }] } }\n",
    });
    booted = await bootStation({ config: loadConfigFile(file), logger: captureLogger("warn").logger });
  });

  afterAll(async () => {
    await booted?.stop();
  });

  it("`enroll card` waits for the card at the reader, shows its kind and never its number", async () => {
    const p = startCli(["enroll", "card", "--person", "w9", "--config", file]);
    await waitFor(() => p.stderr().includes("present the card"), "the CLI asking for the card", 30_000);
    await sendControl(join(loadConfigFile(file).dataDir, "run", "control.sock"), "sim.tap", { uid: UID });
    expect(await p.exited, p.stderr()).toBe(0);
    expect(p.stderr()).toContain("read a contactless card (ISO 14443, 4-byte UID) at entry");
    expect(`${p.stdout()}${p.stderr()}`).not.toMatch(/04C0FFEE/i);
    expect(p.stdout()).toContain("enrolled w9");
    // the station sees it at once: the next tap opens
    const tap = await runCli(["sim", "tap", UID, "--config", file]);
    expect(JSON.parse(tap.stdout)).toMatchObject({ event: "access.granted", personId: "w9" });
  }, 90_000);

  it("an identifier that exists needs --replace (no terminal to ask on)", async () => {
    const again = await cli("credentials", "add", UID, "--person", "w10");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already enrolled for w9");
    expect(again.stderr).toContain("--replace");
    expect(again.stderr).not.toMatch(/04C0FFEE/i);
    expect((await cli("credentials", "show", UID, "--json")).stdout).toContain('"personId":"w9"');
    const replaced = await cli("credentials", "add", UID, "--person", "w10", "--replace");
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain("replaced w10");
  }, 60_000);

  it("refuses a UID length no reader produces, an unknown schedule and an unknown role", async () => {
    const cases: [string[], string][] = [
      [["04A1B2C3D5", "--person", "x"], "5 bytes, which no reader produces"],
      [
        ["04A1B2C4", "--person", "x", "--schedule", "day-shift"],
        'no schedule "day-shift" in access.schedules (there: night-shift)',
      ],
      [
        ["04A1B2C4", "--person", "x", "--role", "boss"],
        'role is one of worker, technician, admin, not "boss"',
      ],
    ];
    for (const [args, says] of cases) {
      const r = await cli("credentials", "add", ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(says);
      expect(r.stderr).not.toMatch(STACK);
    }
    const ok = await cli("credentials", "add", "04A1B2C4", "--person", "n1", "--schedule", "night-shift");
    expect(ok.code, ok.stderr).toBe(0);
  }, 90_000);

  it("imports a ';' CSV with spreadsheet booleans, reminding that it holds raw numbers", async () => {
    const csv = join(dir, "staff.csv");
    writeFileSync(
      csv,
      "uid;personId;role;validFrom;validUntil;schedule;face\n04000011;c1;worker;;2030-12-31;;是\n04000012;c2;technician;;;;FALSE\n",
    );
    const r = await cli("credentials", "import", csv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("holds raw card numbers");
    expect(r.stdout).toContain("imported 2");
    // again: every row exists now
    const again = await cli("credentials", "import", csv);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("2 card(s)");
    expect(again.stderr).toContain("--replace");
    const list = await cli("credentials", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/c1\s+worker\s+active\s+-\s+2030-12-31 23:59\s+-\s+yes/);
    for (const raw of ["04000011", "04000012", "04C0FFEE", "04A1B2C4"])
      expect(list.stdout).not.toContain(raw);
    const hashes = list.stdout.match(/^[0-9a-f]{12}…/gm) ?? [];
    expect(hashes.length).toBe(4);
    const json = JSON.parse((await cli("credentials", "list", "--json", "--person", "c1")).stdout);
    expect(json).toEqual([expect.objectContaining({ personId: "c1", secondFactor: true })]);
    expect(json[0].hash).toMatch(/^[0-9a-f]{12}…$/);
  }, 90_000);

  it("`events` reads the local journal while the station runs", async () => {
    const r = await cli("events", "--type", "access.", "--json");
    expect(r.code, r.stderr).toBe(0);
    const types = r.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toContain("access.granted");
    expect(types.every((t) => t.startsWith("access."))).toBe(true);
    const text = await cli("events", "--limit", "2");
    expect(text.stdout.trim().split("\n")).toHaveLength(2);
    expect(text.stdout).not.toContain("credential=");
  }, 60_000);

  it("a missing CSV file: its path and reason, no stack trace", async () => {
    const r = await cli("credentials", "import", join(dir, "nope.csv"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no such file ${join(dir, "nope.csv")}`);
    expect(r.stderr).not.toMatch(STACK);
    expect(readFileSync(file, "utf8")).toContain("night-shift");
  });
});
