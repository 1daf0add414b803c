import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { waitFor } from "./support/wait.ts";

const passwd = daemon("mosquitto_passwd", "mosquitto");

/** A fenced block of docs/broker-acl.md, by its info string: the test runs what the doc says. */
function docBlock(info: string): string {
  const doc = readFileSync(resolve(import.meta.dirname, "..", "docs", "broker-acl.md"), "utf8");
  const m = new RegExp(`\`\`\`${info}\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`docs/broker-acl.md has no \`\`\`${info} block`);
  return m[1];
}

interface Seen {
  topic: string;
  payload: string;
}

async function client(
  url: string,
  username: string,
  password: string,
  clientId?: string,
): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, {
    username,
    password,
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...(clientId ? { clientId } : {}),
  });
  c.on("error", () => {});
  return c;
}

/**
 * A station under exactly the ACL of docs/broker-acl.md, against a real Mosquitto; then another
 * station's credentials try to pass for it.
 */
describe("a station under the documented least-privilege ACL", () => {
  if (!realStackAvailable(mosquittoDaemon, passwd)) return;

  const users = { central: "central-pw", "st-0001": "pw-0001", "st-0002": "pw-0002" };
  let broker: Mosquitto;
  let booted: BootedStation;
  let central: MqttClient;
  const seen: Seen[] = [];
  const root = "waystation/v1/st-0001";

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-acl-"));
    chmodSync(dir, 0o755);
    const pwfile = join(dir, "waystation.passwd");
    const aclfile = join(dir, "waystation.acl");
    for (const [user, pw] of Object.entries(users)) {
      execFileSync(passwd.path ?? "mosquitto_passwd", [
        "-b",
        ...(user === "central" ? ["-c"] : []),
        pwfile,
        user,
        pw,
      ]);
    }
    writeFileSync(aclfile, docBlock("mosquitto-acl"));
    chmodSync(pwfile, 0o644);
    chmodSync(aclfile, 0o644);
    const conf = docBlock("mosquitto-conf")
      .replace("/etc/mosquitto/waystation.passwd", pwfile)
      .replace("/etc/mosquitto/waystation.acl", aclfile)
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("allow_anonymous"));
    expect(conf).toContain("use_username_as_clientid true");
    broker = new Mosquitto({ listener: conf, anonymous: false });
    await broker.start();

    central = await client(broker.url, "central", users.central);
    central.on("message", (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await central.subscribeAsync("waystation/v1/#", { qos: 1 });

    const file = writeStationFile(join(dir, "station"), { stationId: "st-0001", brokerUrl: broker.url });
    writeFileSync(
      join(dir, "station", "secrets.yaml"),
      `credentialKey: ${"ab".repeat(32)}\nmqtt:\n  username: st-0001\n  password: ${users["st-0001"]}\n`,
      { mode: 0o600 },
    );
    booted = await bootStation({ config: loadConfigFile(file), logger: pino({ level: "silent" }) });
    await waitFor(() => booted.station.mqtt.link.connected, "station connected under the ACL", 10_000);
  }, 30_000);

  afterAll(async () => {
    await booted?.stop();
    await central?.endAsync();
    await broker?.stop();
  });

  const from = (topic: string) => seen.filter((m) => m.topic === topic);

  it("works: status, state and events reach the central server; state/get is answered", async () => {
    await waitFor(
      () => from(`${root}/status`).some((m) => JSON.parse(m.payload).online === true),
      "status online",
    );
    await waitFor(() => from(`${root}/state`).length > 0, "retained state");
    booted.sim?.control.tap("04A1B2C3");
    await waitFor(
      () => from(`${root}/events`).some((m) => JSON.parse(m.payload).type === "access.denied"),
      "the tap's event",
    );
    const states = from(`${root}/state`).length;
    await central.publishAsync(`${root}/state/get`, "{}", { qos: 1 });
    await waitFor(
      () => from(`${root}/state`).length > states,
      "state re-published on the central server's request",
    );
  });

  it("another station cannot publish as this one, nor write its downstream topics", async () => {
    const impostor = await client(broker.url, "st-0002", users["st-0002"]);
    try {
      const forged = JSON.stringify({ type: "access.granted", stationId: "st-0001", forged: true });
      const refused: number[] = [];
      for (const topic of [`${root}/events`, `${root}/status`, `${root}/state/get`, `${root}/cmd`]) {
        const code = await impostor.publishAsync(topic, forged, { qos: 1 }).then(
          () => 0,
          (err: { code?: number }) => err.code ?? -1,
        );
        refused.push(code);
      }
      // MQTT 5 says why: 0x87 "not authorized" for each.
      expect(refused).toEqual([0x87, 0x87, 0x87, 0x87]);
      // Positive control on the same connection: its own topic goes through, after the others.
      await impostor.publishAsync("waystation/v1/st-0002/events", "control", { qos: 1 });
      await waitFor(() => from("waystation/v1/st-0002/events").length > 0, "the impostor's own event");
      expect(seen.filter((m) => m.payload === forged)).toEqual([]);
    } finally {
      await impostor.endAsync();
    }
  });

  it("another station asking for this one's client id does not take over its session", async () => {
    const connections = booted.station.mqtt.link.connections;
    const impostor = await client(broker.url, "st-0002", users["st-0002"], "waystation-st-0001");
    try {
      // Without use_username_as_clientid the broker would now have kicked the station off.
      await impostor.publishAsync("waystation/v1/st-0002/events", "still-me", { qos: 1 });
      await waitFor(
        () => from("waystation/v1/st-0002/events").some((m) => m.payload === "still-me"),
        "control",
      );
      expect(booted.station.mqtt.link.connected).toBe(true);
      expect(booted.station.mqtt.link.connections).toBe(connections);
    } finally {
      await impostor.endAsync();
    }
  });

  it("another station cannot read this one's events", async () => {
    const impostor = await client(broker.url, "st-0002", users["st-0002"]);
    const got: string[] = [];
    try {
      impostor.on("message", (topic) => got.push(topic));
      const granted = await impostor.subscribeAsync(`${root}/#`, { qos: 1 });
      const before = from(`${root}/events`).length;
      booted.sim?.control.tap("04A1B2C4");
      await waitFor(() => from(`${root}/events`).length > before, "the central server sees the event");
      expect(got).toEqual([]);
      // Mosquitto may grant the subscription and filter delivery, or refuse it (0x87).
      expect(granted.length).toBe(1);
    } finally {
      await impostor.endAsync();
    }
  });
});
