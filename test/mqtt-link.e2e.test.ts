import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { MqttLink, type MqttLinkOptions } from "../controller/mqtt/mqtt-link.ts";
import { SystemClock } from "../device/clock/system-clock.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { captureLogger } from "./support/capture-log.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { MqttCapture } from "./support/mqtt-capture.ts";
import { freePort } from "./support/net.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { makeTlsFiles, opensslBinary } from "./support/tls.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The station's connection against real Mosquittos: failover across broker URLs, credentials
 * from the secrets file, TLS and mutual TLS, and MQTT 3.1.1 by config.
 */
const BURST_STATION = resolve(import.meta.dirname, "support", "burst-station.ts");
const passwd = daemon("mosquitto_passwd", "mosquitto");
const brokers: Mosquitto[] = [];
const links: MqttLink[] = [];
const stations: BootedStation[] = [];

function link(opts: Partial<MqttLinkOptions>, log = pino({ level: "silent" })): MqttLink {
  const l = new MqttLink(
    {
      urls: [],
      clientId: `link-test-${Math.random().toString(16).slice(2)}`,
      protocolVersion: 5,
      keepaliveS: 30,
      sessionExpiryS: 60,
      connectTimeoutMs: 2000,
      reconnect: { baseMs: 20, capMs: 200 },
      will: { topic: "waystation/v1/t/status", payload: "{}" },
      maxIncomingPacketBytes: 256 * 1024,
      ...opts,
    },
    new SystemClock(),
    log,
  );
  links.push(l);
  return l;
}

async function broker(extra: ConstructorParameters<typeof Mosquitto>[0] = {}): Promise<Mosquitto> {
  const b = new Mosquitto(extra);
  brokers.push(b);
  await b.start();
  return b;
}

afterEach(async () => {
  for (const l of links.splice(0)) await l.stop();
  for (const s of stations.splice(0)) await s.stop();
  for (const b of brokers.splice(0)) await b.stop();
});

describe("the MQTT link against real brokers", () => {
  if (!realStackAvailable(mosquittoDaemon, passwd, opensslBinary)) return;

  it("fails over to the next broker URL when the first cannot be reached", async () => {
    const live = await broker();
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const { logger, lines } = captureLogger("debug");
    const l = link({ urls: [dead, live.url] }, logger);
    l.start();
    await waitFor(() => l.connected, "connected through the second URL", 5000);
    expect(l.url).toBe(live.url);
    expect(lines.some((x) => x.includes("cannot reach the MQTT broker") && x.includes(dead))).toBe(true);
  });

  it("keeps trying for ever: a broker that starts late is found", async () => {
    const port = await freePort();
    const l = link({ urls: [`mqtt://127.0.0.1:${port}`] });
    l.start();
    await waitFor(() => l.failedAttempts >= 3, "a few failed attempts", 5000);
    expect(l.connected).toBe(false);
    const late = new Mosquitto();
    late.port = port;
    brokers.push(late);
    await late.start();
    await waitFor(() => l.connected, "connected once the broker is up", 5000);
  });

  it("uses the broker credentials from the secrets file; wrong ones are refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-creds-"));
    const pwfile = join(dir, "passwords");
    execFileSync(passwd.path ?? "mosquitto_passwd", ["-b", "-c", pwfile, "station-0042", "s3cret-pass"]);
    chmodSync(dir, 0o755);
    chmodSync(pwfile, 0o644);
    const b = await broker({ listener: [`password_file ${pwfile}`], anonymous: false });
    const file = writeStationFile(dir, { brokerUrl: b.url });
    const secretsFile = join(dir, "secrets.yaml");
    writeFileSync(
      secretsFile,
      `credentialKey: ${"cd".repeat(32)}\nmqtt:\n  username: station-0042\n  password: s3cret-pass\n`,
      { mode: 0o600 },
    );
    const { logger, lines } = captureLogger("debug");
    const booted = await bootStation({ config: loadConfigFile(file), logger });
    stations.push(booted);
    await waitFor(() => booted.station.mqtt.link.connected, "connected with the secrets' credentials", 5000);
    expect(lines.join("\n")).not.toContain("s3cret-pass");

    const wrong = link({ urls: [b.url], credentials: { username: "station-0042", password: "nope" } });
    wrong.start();
    await waitFor(() => wrong.failedAttempts >= 2, "refused twice", 5000);
    expect(wrong.connected).toBe(false);
    expect(wrong.connections).toBe(0);
  });

  it("TLS with mutual authentication: the station's certificate gets it in, none keeps it out", async () => {
    const tlsDir = mkdtempSync(join(tmpdir(), "ws-tls-"));
    chmodSync(tlsDir, 0o755);
    const tls = makeTlsFiles(tlsDir);
    const b = await broker({
      listener: [
        `cafile ${tls.ca}`,
        `certfile ${tls.serverCert}`,
        `keyfile ${tls.serverKey}`,
        "require_certificate true",
      ],
    });
    const url = `mqtts://127.0.0.1:${b.port}`;
    const good = link({
      urls: [url],
      tls: { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, rejectUnauthorized: true },
    });
    good.start();
    await waitFor(() => good.connected, "mutual TLS connection", 5000);

    const noCert = link({ urls: [url], tls: { ca: tls.ca, rejectUnauthorized: true } });
    const unknownCa = link({
      urls: [url],
      tls: { rejectUnauthorized: true, cert: tls.clientCert, key: tls.clientKey },
    });
    noCert.start();
    unknownCa.start();
    await waitFor(
      () => noCert.failedAttempts >= 2 && unknownCa.failedAttempts >= 2,
      "both refused twice",
      5000,
    );
    expect(noCert.connections + unknownCa.connections).toBe(0);
  });

  it("speaks MQTT 3.1.1 when told; killed without a DISCONNECT, its Last Will says offline", async () => {
    // At notice level Mosquitto logs each client's protocol: "(p2, ..." is MQTT 3.1.1, p5 is 5.0.
    const b = await broker({ listener: ["log_type notice", "log_dest stderr"] });
    const dir = mkdtempSync(join(tmpdir(), "ws-v4-"));
    const file = writeStationFile(dir, { brokerUrl: b.url, mqtt: ["protocolVersion: 4"] });
    const sub = new MqttCapture(b.url, "waystation/v1/+/status", 4);
    await sub.start();
    const proc = spawn(process.execPath, ["--import", "tsx", BURST_STATION, file, "--quiet"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const online = await waitFor(() => sub.last("/status"), "retained status over 3.1.1", 15_000);
      expect(online.json).toMatchObject({ online: true });
      expect(b.output).toMatch(/as waystation-test-station \(p2,/);
      proc.kill("SIGKILL");
      const will = await waitFor(
        () => (sub.last("/status")?.json.online === false ? sub.last("/status") : undefined),
        "online:false from the Last Will",
        10_000,
      );
      expect(will.json).toMatchObject({ online: false, bootId: online.json.bootId });
      expect(will.retain).toBe(false);
      // Retained: a central server subscribing later learns the station is offline.
      const late = new MqttCapture(b.url, "waystation/v1/+/status", 4);
      await late.start();
      const retained = await waitFor(() => late.last("/status"), "retained status for a late subscriber");
      expect(retained).toMatchObject({ retain: true, json: { online: false } });
      await late.stop();
    } finally {
      proc.kill("SIGKILL");
      await sub.stop();
    }
  });
});
