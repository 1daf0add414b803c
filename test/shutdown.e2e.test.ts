import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSecretsFile } from "../config/secrets.ts";
import { createIdentifierHasher, parseHexIdentifier } from "../device/identity/hasher.ts";
import { sendSimCommand } from "../simulator/control-http.ts";
import { StationProcess } from "./support/child.ts";
import { freePort } from "./support/net.ts";

/**
 * SIGTERM must leave the lock in the configured safe state: a strike (fail-secure) locked, a
 * maglock (fail-safe) released. The station runs as its own process, as under systemd; the
 * simulated door model logs what the lock physically does.
 */
async function stationConfig(lockMode: "fail-secure" | "fail-safe") {
  const dir = mkdtempSync(join(tmpdir(), "ws-shutdown-"));
  const secrets = createSecretsFile(join(dir, "secrets.yaml"));
  const credential = createIdentifierHasher(secrets.credentialKey)(
    "card-uid",
    parseHexIdentifier("04A1B2C3") ?? new Uint8Array(),
  );
  const consolePort = await freePort();
  const mqttPort = await freePort(); // nothing listens there: the door must not care
  const file = join(dir, "station.yaml");
  writeFileSync(
    file,
    `station: { id: shutdown-test }
dataDir: ${dir}/data
secretsFile: ${dir}/secrets.yaml
hardware:
  mode: simulated
  gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } }
door: { lockMode: ${lockMode} }
access: { allowList: [{ personId: p1, credential: ${credential} }] }
mqtt: { url: "mqtt://127.0.0.1:${mqttPort}" }
console: { port: ${consolePort} }
`,
  );
  return { file, consoleUrl: `http://127.0.0.1:${consolePort}` };
}

function lastLockState(p: StationProcess): unknown {
  return p
    .logs()
    .filter((l) => l.module === "simulator" && typeof l.lock === "string")
    .at(-1)?.lock;
}

describe("shutdown on SIGTERM", () => {
  let station: StationProcess | undefined;
  afterEach(() => station?.kill());

  it("fail-secure: a door unlocked by a grant is locked when the controller stops", async () => {
    const { file, consoleUrl } = await stationConfig("fail-secure");
    station = new StationProcess(["run", "--config", file]);
    await station.waitForLog("station ready");
    expect(lastLockState(station)).toBe("locked");
    await sendSimCommand(consoleUrl, "tap", { uid: "04A1B2C3" });
    await station.waitForLog("access granted");
    expect(lastLockState(station)).toBe("released");
    station.proc.kill("SIGTERM");
    expect(await station.exit()).toBe(0);
    expect(lastLockState(station)).toBe("locked");
    expect(station.logs().some((l) => l.msg === "lock relay de-energised for shutdown")).toBe(true);
  });

  it("fail-safe: a locked maglock is released when the controller stops", async () => {
    const { file } = await stationConfig("fail-safe");
    station = new StationProcess(["run", "--config", file]);
    await station.waitForLog("station ready");
    expect(lastLockState(station)).toBe("locked");
    station.proc.kill("SIGTERM");
    expect(await station.exit()).toBe(0);
    expect(lastLockState(station)).toBe("released");
  });
});
