import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../config/load.ts";
import type { ConsoleRunner } from "../../controller/console/console-server.ts";
import {
  consoleUsersFile,
  loadConsoleUsers,
  verifyPassword,
} from "../../controller/console/console-users.ts";
import { createConsole } from "../../controller/console/console-wiring.ts";
import type { EventBus } from "../../controller/events/event-bus.ts";
import { provisionStation } from "./provision.ts";

function stationFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "ws-provision-"));
  const file = join(dir, "station.yaml");
  writeFileSync(
    file,
    `# the bench station
station:
  id: bench-0 # provision sets this
dataDir: ${join(dir, "data")}
secretsFile: ${join(dir, "secrets.yaml")}
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
  readers: [{ id: entry, kind: simulated }]
door: { lockMode: fail-secure }
mqtt: { url: "mqtt://127.0.0.1:1" }
`,
  );
  return { dir, file };
}

const base = { user: "technician", role: "technician" as const, replace: false, now: new Date(0) };

/** The console as a station without a simulated door builds it: off unless provisioned. */
function consoleFor(file: string) {
  return createConsole({
    config: loadConfigFile(file),
    bus: { subscribe: () => () => {}, emit: () => {} } as unknown as EventBus,
    runner: {} as ConsoleRunner,
    state: () => {
      throw new Error("not started");
    },
    onStateChange: () => () => {},
    monotonic: () => 0,
    logger: pino({ level: "silent" }),
  });
}

describe("waystation provision", () => {
  it("a station never provisioned has no console user, and its console stays off", () => {
    const { file } = stationFile();
    expect(consoleFor(file)).toBeUndefined();
    expect(loadConsoleUsers(consoleUsersFile(loadConfigFile(file).dataDir))).toBeUndefined();
  });

  it("sets the id (comments kept), creates the keys, and a technician with a password shown once", async () => {
    const { file } = stationFile();
    const r = await provisionStation({ ...base, configFile: file, stationId: "ws-0042" });
    expect(readFileSync(file, "utf8")).toContain("# provision sets this");
    expect(loadConfigFile(file).station.id).toBe("ws-0042");
    expect(r.secretsCreated).toBe(true);
    expect(statSync(r.secretsFile).mode & 0o777).toBe(0o600);
    expect(r.keyFingerprint).toMatch(/^[0-9a-f]{16}$/);
    const password = r.generatedPassword ?? "";
    expect(password).toMatch(/^([a-z2-9]{4}-){3}[a-z2-9]{4}$/);
    const text = readFileSync(r.usersFile, "utf8");
    expect(text).not.toContain(password);
    expect(statSync(r.usersFile).mode & 0o777).toBe(0o600);
    const [user] = loadConsoleUsers(r.usersFile)?.users ?? [];
    expect(user).toMatchObject({ name: "technician", role: "technician" });
    expect(user?.hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(user?.hash ?? "", password)).toBe(true);
    expect(await verifyPassword(user?.hash ?? "", "technician")).toBe(false);
    expect(consoleFor(file)).toBeDefined();
  });

  it("never overwrites a user without --replace; --replace gives a new password and the old one stops working", async () => {
    const { file } = stationFile();
    const first = await provisionStation({ ...base, configFile: file });
    await expect(provisionStation({ ...base, configFile: file })).rejects.toMatchObject({
      code: "CONSOLE_USER_EXISTS",
    });
    const second = await provisionStation({ ...base, configFile: file, replace: true });
    expect(second.secretsCreated).toBe(false);
    expect(second.keyFingerprint).toBe(first.keyFingerprint);
    expect(second.generatedPassword).not.toBe(first.generatedPassword);
    const hash = loadConsoleUsers(second.usersFile)?.users[0]?.hash ?? "";
    expect(await verifyPassword(hash, first.generatedPassword ?? "")).toBe(false);
    expect(await verifyPassword(hash, second.generatedPassword ?? "")).toBe(true);
  });

  it("a viewer alone does not turn the console on; a short password is refused", async () => {
    const { file } = stationFile();
    await provisionStation({
      ...base,
      configFile: file,
      user: "watch",
      role: "viewer",
      password: "viewer-pass-1",
    });
    expect(consoleFor(file)).toBeUndefined();
    await expect(provisionStation({ ...base, configFile: file, password: "short" })).rejects.toMatchObject({
      code: "CONSOLE_PASSWORD_WEAK",
    });
  });

  it("takes the fleet's credential key for a new station; refuses a different one for a provisioned station", async () => {
    const { file } = stationFile();
    const key = "ab".repeat(32);
    const r = await provisionStation({ ...base, configFile: file, credentialKey: key });
    expect(readFileSync(r.secretsFile, "utf8")).toContain(key);
    await expect(
      provisionStation({ ...base, configFile: file, user: "two", credentialKey: "cd".repeat(32) }),
    ).rejects.toMatchObject({ code: "CREDENTIAL_KEY_MISMATCH" });
  });
});
