import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { FAULT_EXIT_CODE } from "../scripts/process-guard.ts";
import { sendSimCommand } from "../simulator/control-http.ts";
import { CLI, StationProcess } from "./support/child.ts";
import { GpioTree, gpioNamespace } from "./support/gpio-tree.ts";
import { freePort } from "./support/net.ts";
import { realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";

/**
 * The lock when the controller dies, proven on the real onoff driver: each process runs in a
 * mount namespace of its own where a plain-file GPIO tree is /sys/class/gpio, so the level the
 * dead process left on the lock relay (BCM 17) can be read from its `value` file afterwards.
 * A strike (fail-secure) is energised to release: 1 = released, 0 = locked and safe.
 */
const LOCK = 17;
const CARD = "04A1B2C3";
const GPIO_STATION = resolve(import.meta.dirname, "support", "gpio-station.ts");

/** Outlet relays and the cabinet's contactor, on the header as the lock is. */
const OUTLET_A = 5;
const OUTLET_B = 6;
const CABINET = 13;
const POWER = `modbus: [{ id: rs485, kind: simulated }]
outlets:
  list:
    - { id: phone-1, kind: phone, bus: rs485, meterAddress: 1, relay: { pin: ${OUTLET_A} } }
    - { id: ebike-1, kind: ebike, bus: rs485, meterAddress: 3, maxCurrentA: 3, relay: { pin: ${OUTLET_B}, activeLow: true } }
safety: { cabinetPowerRelay: { pin: ${CABINET} } }
`;

async function stationFile(opts: { consolePort?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "ws-gpio-death-"));
  const file = writeStationFile(dir, {
    stationId: "gpio-death",
    brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
    allowUid: CARD,
    ...(opts.consolePort ? { consolePort: opts.consolePort } : {}),
    hardware: `hardware:
  mode: real
  gpio: { lockRelay: { pin: ${LOCK} }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }`,
    door: "{ lockMode: fail-secure, unlockMs: 60000 }",
    extra: POWER,
  });
  return { dir, file, dataDir: join(dir, "data"), secretsFile: join(dir, "secrets.yaml") };
}

/** The simulated station with the real lock relay, started and granted once: the strike is released. */
async function grantedStation(tree: GpioTree, env: Record<string, string> = {}) {
  const consolePort = await freePort();
  const s = await stationFile({ consolePort });
  const proc = new StationProcess([], env, () =>
    tree.wrap([process.execPath, "--import", "tsx", GPIO_STATION, s.file]),
  );
  await proc.waitForLog("gpio station ready", 30_000);
  expect(tree.level(LOCK)).toBe(0);
  await sendSimCommand(`http://127.0.0.1:${consolePort}`, "tap", { uid: CARD });
  await proc.waitForLog("access granted");
  expect(tree.level(LOCK)).toBe(1);
  return { ...s, proc };
}

function journalEvents(dataDir: string): { type: string; payload: Record<string, unknown> }[] {
  const db = new Database(join(dataDir, "journal.db"), { readonly: true });
  try {
    return (
      db.prepare("SELECT type, payload FROM events ORDER BY seq").all() as { type: string; payload: string }[]
    ).map((r) => ({ type: r.type, payload: JSON.parse(r.payload) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

/** The CLI in the tree's namespace, to completion. */
async function cliIn(tree: GpioTree, args: string[]) {
  const p = new StationProcess([], {}, () => tree.wrap([process.execPath, CLI, ...args]));
  const code = await p.exit(30_000);
  return { code, stdout: p.lines.join("\n"), stderr: p.stderr };
}

describe("the lock when the controller dies (real onoff, emulated sysfs GPIO)", () => {
  if (!realStackAvailable(gpioNamespace)) return;
  const procs: StationProcess[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) p.kill();
  });

  it.each([
    { fault: "uncaughtException", env: {} as Record<string, string> },
    { fault: "unhandledRejection", env: { WS_FAULT: "reject" } as Record<string, string> },
  ])(
    "$fault after a grant: the strike is de-energised, the journal says why, exit non-zero",
    async ({ fault, env }) => {
      const tree = new GpioTree({ [LOCK]: 0 });
      const s = await grantedStation(tree, env);
      procs.push(s.proc);
      s.proc.proc.kill("SIGUSR2");
      expect(await s.proc.exit(15_000)).toBe(FAULT_EXIT_CODE);
      expect(tree.level(LOCK)).toBe(0);
      expect(s.proc.stderr).toContain(`waystation: fatal ${fault}`);
      expect(s.proc.stderr).toContain("the lock driven to its safe level");
      const events = journalEvents(s.dataDir);
      expect(events.filter((e) => e.type === "controller.fault").map((e) => e.payload)).toEqual([
        expect.objectContaining({ origin: fault, error: expect.stringContaining("injected") }),
      ]);
      // the strike's release ended by the death is an event of its own, before the fault
      const types = events.map((e) => e.type);
      expect(types.slice(types.indexOf("access.granted"))).toEqual([
        "access.granted",
        "door.unlocked",
        "door.locked",
        "controller.fault",
      ]);
      expect(events.find((e) => e.type === "door.locked")?.payload).toMatchObject({ reason: "shutdown" });
    },
  );

  it("opening the lock relay drives it inactive, though the process that died left it active", async () => {
    const tree = new GpioTree({ [LOCK]: 1 });
    // open it, then die at once: nothing but start() can have written the line
    const script = `const { OnoffOutput } = await import(${JSON.stringify(resolve(import.meta.dirname, "..", "device", "gpio", "onoff-gpio.ts"))});
await new OnoffOutput("lockRelay", ${512 + LOCK}, false).start();
process.kill(process.pid, "SIGKILL");`;
    const p = new StationProcess([], {}, () =>
      tree.wrap([process.execPath, "--import", "tsx", "--input-type=module", "-e", script]),
    );
    await p.exit();
    expect(p.proc.signalCode).toBe("SIGKILL");
    expect(tree.level(LOCK)).toBe(0);
  });

  it("SIGKILL leaves the strike released and outlets on; `lock safe` drives every one safe, needing no secrets, journal or broker", async () => {
    // a controller died before this start with outlets charging and the cabinet powered
    const tree = new GpioTree({ [LOCK]: 0, [OUTLET_A]: 1, [OUTLET_B]: 0, [CABINET]: 1 });
    const s = await grantedStation(tree);
    procs.push(s.proc);
    // the start drove them off before anything else of the station was loaded
    // (ebike-1's relay board energises on a low level: off is high)
    expect([OUTLET_A, OUTLET_B, CABINET].map((p) => tree.level(p))).toEqual([0, 1, 0]);
    // The station's outlets are simulated here (plain files give no Modbus meters): the tree
    // plays what a station killed while charging leaves on its relays.
    tree.drive(OUTLET_A, 1);
    tree.drive(OUTLET_B, 0);
    tree.drive(CABINET, 1);
    s.proc.kill("SIGKILL");
    await s.proc.exit();
    // Nothing ran in the killed process: the relays are as they were, the strike released.
    expect([LOCK, OUTLET_A, OUTLET_B, CABINET].map((p) => tree.level(p))).toEqual([1, 1, 0, 1]);
    // ExecStopPost= with no secrets file, no data directory at all, and a station file broken
    // outside the lock's section, even in an outlet's own entry (a bad edit may be why it died)
    rmSync(s.secretsFile);
    rmSync(s.dataDir, { recursive: true });
    writeFileSync(s.file, readFileSync(s.file, "utf8").replace("maxCurrentA: 3", "maxCurrentA: -3"));
    appendFileSync(s.file, "journal: { maxEvent: 10 }\n");
    const r = await cliIn(tree, ["lock", "safe", "--config", s.file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the strike is locked");
    expect(r.stdout).toContain("outlet phone-1 off");
    expect(r.stdout).toContain("outlet ebike-1 off");
    expect(r.stdout).toContain("the cabinet's chargers cut");
    expect([LOCK, OUTLET_A, OUTLET_B, CABINET].map((p) => tree.level(p))).toEqual([0, 0, 1, 0]);
    expect(existsSync(s.dataDir)).toBe(false);
  });

  it.each([
    {
      what: "a broken secrets file",
      spoil: (s: { secretsFile: string }) =>
        writeFileSync(s.secretsFile, "credentialKey: [", { mode: 0o600 }),
      code: 1,
      says: "is not valid YAML",
    },
    {
      what: "a mistake in the station file outside the lock's section",
      spoil: (s: { file: string }) => appendFileSync(s.file, "journal: { maxEvent: 10 }\n"),
      code: 2,
      says: 'unknown setting "maxEvent"',
    },
  ])(
    "a start that fails on $what leaves the lock safe, not as the dead process left it",
    async ({ spoil, code, says }) => {
      const tree = new GpioTree({ [LOCK]: 1 }); // a controller died with the strike released
      const s = await stationFile();
      spoil(s);
      const r = await cliIn(tree, ["run", "--config", s.file]);
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(says);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a technician's mistake prints no stack trace
      expect(tree.level(LOCK)).toBe(0);
    },
  );

  it("a second instance exits at once naming the running one, having driven nothing", async () => {
    const tree = new GpioTree({ [LOCK]: 0 });
    const s = await grantedStation(tree);
    procs.push(s.proc);
    const started = Date.now();
    const second = await cliIn(tree, ["run", "--config", s.file]);
    expect(second.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(second.stderr).toContain(
      `another waystation process already runs this station (pid ${s.proc.proc.pid}`,
    );
    expect(second.stderr).toContain("Nothing was driven");
    // the first one's grant still holds the strike released: the second did not touch it
    expect(tree.level(LOCK)).toBe(1);
    // nor does a `lock safe` typed by hand while the station runs
    const manual = await cliIn(tree, ["lock", "safe", "--config", s.file]);
    expect(manual.code).toBe(1);
    expect(tree.level(LOCK)).toBe(1);
    // and the first carries on; a closed terminal (SIGHUP) is a clean stop that locks the strike
    s.proc.kill("SIGHUP");
    expect(await s.proc.exit()).toBe(0);
    expect(tree.level(LOCK)).toBe(0);
  });
});
