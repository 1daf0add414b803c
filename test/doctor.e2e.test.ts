import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile } from "../config/load.ts";
import { type BootedStation, bootStation } from "../scripts/boot.ts";
import { type CheckLine, runDoctor } from "../scripts/commands/doctor.ts";
import { EmbeddedBroker } from "../scripts/embedded-broker.ts";
import { runCli } from "./support/child.ts";
import { check, noProcs, synced } from "./support/doctor.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { freePort } from "./support/net.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";

/** `doctor`: each check passing on a healthy station, and failing for its own cause with its fix. */
const quiet = pino({ level: "silent" });

/** A fake /sys/class/gpio with the Pi 4's header chip. */
function fakeSysfs(ngpio = 58): string {
  const root = mkdtempSync(join(tmpdir(), "ws-gpio-"));
  writeFileSync(join(root, "export"), "");
  mkdirSync(join(root, "gpiochip512"));
  writeFileSync(join(root, "gpiochip512", "label"), "pinctrl-bcm2711\n");
  writeFileSync(join(root, "gpiochip512", "base"), "512\n");
  writeFileSync(join(root, "gpiochip512", "ngpio"), `${ngpio}\n`);
  return root;
}

describe("doctor", () => {
  const broker = new EmbeddedBroker("127.0.0.1", 0, quiet);
  const stations: BootedStation[] = [];
  let healthyFile = "";

  afterAll(async () => {
    for (const s of stations) await s.stop();
    await broker.stop();
  });

  it("passes every check on a healthy running station, the subsystems' checks asked of it", async () => {
    await broker.start();
    const dir = mkdtempSync(join(tmpdir(), "ws-doc-"));
    healthyFile = writeStationFile(dir, { brokerUrl: broker.url });
    // aedes speaks MQTT 3.1.1
    writeFileSync(
      healthyFile,
      readFileSync(healthyFile, "utf8").replace("  reconnect:", "  protocolVersion: 4\n  reconnect:"),
    );
    stations.push(await bootStation({ config: loadConfigFile(healthyFile), logger: quiet }));
    const { checks } = await runDoctor(healthyFile, { timePaths: synced(), procRoot: noProcs() });
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.id)).toEqual([
      "config",
      "secrets",
      "instance",
      "disk",
      "journal",
      "clock",
      "broker",
      "serial",
      "camera",
      "entrance.reader.entry",
    ]);
    expect(check(checks, "instance").detail).toContain("the station answers on");
    expect(check(checks, "journal").detail).toContain("quick_check ok");
    expect(check(checks, "broker").detail).toContain("CONNACK accepted");
  });

  it("checks the demo's embedded broker as the demo connects to it (MQTT 3.1.1), not with MQTT 5", async () => {
    // The demo's file names the embedded broker and no protocol: the demo speaks 3.1.1 to aedes,
    // and a doctor asking for MQTT 5 would fail a working demo.
    const dir = mkdtempSync(join(tmpdir(), "ws-doc-emb-"));
    const file = writeStationFile(dir, {
      brokerUrl: "mqtt://127.0.0.1:1",
      extra: `broker: { embedded: true, host: 127.0.0.1, port: ${broker.port} }`,
    });
    const c = check((await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks, "broker");
    expect(c.detail).toContain(`mqtt://127.0.0.1:${broker.port}: CONNACK accepted`);
  });

  it("a reader the running station cannot see fails, with what to check", async () => {
    const booted = stations[0] as BootedStation;
    booted.sim?.readers[0]?.setOnline?.(false);
    try {
      const c = check(
        (await runDoctor(healthyFile, { timePaths: synced(), procRoot: noProcs() })).checks,
        "entrance.reader.entry",
      );
      expect(c).toMatchObject({ ok: false, detail: "reader unplugged" });
      expect(c.hint).toContain("cable");
    } finally {
      booted.sim?.readers[0]?.setOnline?.(true);
    }
  });

  it("a secrets key other than the one the cards were enrolled with fails `secrets`, with both fingerprints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-doc-key-"));
    const file = writeStationFile(dir, { brokerUrl: broker.url, allowUid: "04A1B2C3" });
    const booted = await bootStation({ config: loadConfigFile(file), logger: quiet });
    await booted.stop();
    const secrets = join(dir, "secrets.yaml");
    expect(
      check((await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks, "secrets").detail,
    ).toMatch(/key fingerprint [0-9a-f]+/);
    writeFileSync(secrets, `credentialKey: ${"ab".repeat(32)}\n`, { mode: 0o600 });
    const c = check((await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks, "secrets");
    expect(c.ok).toBe(false);
    expect(c.detail).toContain("is not the one the");
    expect(c.hint).toContain("restore the fleet's key (fingerprint");
  });

  it("an invalid or missing station file fails `config` and exits 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-doc-bad-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "station: { id: Bad Id }\n");
    const r = await runCli(["doctor", "--config", bad, "--json"]);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: CheckLine[] };
    expect(out.ok).toBe(false);
    expect(check(out.checks, "config")).toMatchObject({ ok: false });
    expect(check(out.checks, "config").detail).toContain("station.id");
    const missing = await runCli(["doctor", "--config", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain("FAIL  station file valid [config]");
    expect(missing.stdout).toContain("fix: pass the path of the station file");
  });

  describe("each local check fails for its cause", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-doc-f-"));
    let file: string;

    beforeAll(async () => {
      file = writeStationFile(dir, { brokerUrl: `mqtt://127.0.0.1:${await freePort()}` });
    });

    it("secrets readable by others: the chmod to run", async () => {
      chmodSync(join(dir, "secrets.yaml"), 0o644);
      const c = check(
        (await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks,
        "secrets",
      );
      expect(c.ok).toBe(false);
      expect(c.detail).toContain("readable by others");
      expect(c.hint).toContain(`chmod 600 ${join(dir, "secrets.yaml")}`);
      chmodSync(join(dir, "secrets.yaml"), 0o600);
    });

    it("broker: nothing listening, and a broker refusing the credentials", async () => {
      const c = check((await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks, "broker");
      expect(c).toMatchObject({ ok: false });
      expect(c.detail).toContain("nothing listens at mqtt://127.0.0.1:");
      expect(c.hint).toContain("is the broker up");
    });

    it("clock not synchronised: how to enable NTP", async () => {
      const d = mkdtempSync(join(tmpdir(), "ws-time-"));
      const c = check(
        (
          await runDoctor(file, {
            timePaths: { syncedFlag: join(d, "no"), rtcHctosys: join(d, "no") },
            procRoot: noProcs(),
          })
        ).checks,
        "clock",
      );
      expect(c.ok).toBe(false);
      expect(c.hint).toContain("timedatectl set-ntp true");
    });

    it("disk below the free-space floor", async () => {
      mkdirSync(loadConfigFile(file).dataDir, { recursive: true });
      const c = check(
        (
          await runDoctor(file, {
            timePaths: synced(),
            procRoot: noProcs(),
            minFreeBytes: Number.MAX_SAFE_INTEGER,
          })
        ).checks,
        "disk",
      );
      expect(c.ok).toBe(false);
      expect(c.detail).toMatch(/MB free/);
      expect(c.hint).toContain("journalctl --vacuum-size");
    });

    it("a corrupt journal: quick_check fails, and what the station does about it", async () => {
      const config = loadConfigFile(file);
      mkdirSync(config.dataDir, { recursive: true });
      writeFileSync(
        join(config.dataDir, "journal.db"),
        "this is not a database, it is a text file\n".repeat(200),
      );
      const c = check(
        (await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks,
        "journal",
      );
      expect(c.ok).toBe(false);
      expect(c.hint).toContain("moves");
    });

    it("two controllers on the same station file", async () => {
      const proc = noProcs();
      for (const pid of ["4101", "4102"]) {
        mkdirSync(join(proc, pid));
        writeFileSync(
          join(proc, pid, "cmdline"),
          ["/usr/bin/node", "/usr/lib/waystation/dist/waystation.mjs", "run", "--config", file, ""].join(
            "\0",
          ),
        );
      }
      const c = check((await runDoctor(file, { timePaths: synced(), procRoot: proc })).checks, "instance");
      expect(c.ok).toBe(false);
      expect(c.detail).toBe(`2 controllers run on ${file}: pids 4101, 4102`);
      expect(c.hint).toContain("sudo kill 4102");
      // one controller that does not answer on its socket: hung or starting
      writeFileSync(join(proc, "4102", "cmdline"), "bash\0");
      const one = check((await runDoctor(file, { timePaths: synced(), procRoot: proc })).checks, "instance");
      expect(one).toMatchObject({ ok: false });
      expect(one.detail).toContain("does not answer");
    });
  });

  describe("with Mosquitto requiring a password", () => {
    const passwd = daemon("mosquitto_passwd", "mosquitto");
    if (!realStackAvailable(mosquittoDaemon, passwd)) return;

    it("the broker check fails on credentials the broker refuses", async () => {
      const dir = mkdtempSync(join(tmpdir(), "ws-doc-auth-"));
      const pwfile = join(dir, "passwords");
      execFileSync(passwd.path ?? "mosquitto_passwd", ["-b", "-c", pwfile, "station-0042", "s3cret-pass"]);
      chmodSync(dir, 0o755);
      chmodSync(pwfile, 0o644);
      const b = new Mosquitto({ listener: [`password_file ${pwfile}`], anonymous: false });
      await b.start();
      try {
        const file = writeStationFile(dir, { brokerUrl: b.url });
        const secrets = join(dir, "secrets.yaml");
        const key = /credentialKey: (\S+)/.exec(readFileSync(secrets, "utf8"))?.[1];
        writeFileSync(
          secrets,
          `credentialKey: ${key}\nmqtt:\n  username: station-0042\n  password: wrong\n`,
          { mode: 0o600 },
        );
        const c = check(
          (await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks,
          "broker",
        );
        expect(c.ok).toBe(false);
        expect(c.detail).toContain("refused the station's credentials");
        expect(c.hint).toContain("secrets file");
        writeFileSync(
          secrets,
          `credentialKey: ${key}\nmqtt:\n  username: station-0042\n  password: s3cret-pass\n`,
          { mode: 0o600 },
        );
        expect(
          check((await runDoctor(file, { timePaths: synced(), procRoot: noProcs() })).checks, "broker").ok,
        ).toBe(true);
      } finally {
        await b.stop();
      }
    });
  });

  describe("a real board's GPIO, with the station stopped", () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-doc-gpio-"));
    const realFile = (sysfsRoot: string, lockPin = 17) => {
      const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1" });
      writeFileSync(
        file,
        readFileSync(file, "utf8")
          .replace("mode: simulated", "mode: real")
          .replace("lockRelay: { pin: 17 }", `lockRelay: { pin: ${lockPin} }`)
          .replace("gpio: {", `gpio: { sysfsRoot: ${sysfsRoot},`)
          .replace("readers: [{ id: entry, kind: simulated }]", "readers: [{ id: entry, kind: pcsc }]"),
      );
      return file;
    };

    it("finds the header chip and its base", async () => {
      const c = check(
        (await runDoctor(realFile(fakeSysfs()), { timePaths: synced(), procRoot: noProcs() })).checks,
        "entrance.gpio",
      );
      expect(c).toMatchObject({ ok: true });
      expect(c.detail).toContain("sysfs base 512");
    });

    it("fails where there is no GPIO sysfs, and on a pin the chip does not have", async () => {
      const none = check(
        (await runDoctor(realFile(join(dir, "no-sysfs")), { timePaths: synced(), procRoot: noProcs() }))
          .checks,
        "entrance.gpio",
      );
      expect(none.ok).toBe(false);
      expect(none.hint).toContain("CONFIG_GPIO_SYSFS");
      const small = check(
        (await runDoctor(realFile(fakeSysfs(20), 21), { timePaths: synced(), procRoot: noProcs() })).checks,
        "entrance.gpio",
      );
      expect(small.ok).toBe(false);
      expect(small.detail).toContain("lockRelay: BCM 21");
      expect(small.hint).toContain("valid BCM numbers: 0-19");
    });
  });
});
