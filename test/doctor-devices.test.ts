import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseConfigText } from "../config/load.ts";
import type { StationConfig } from "../config/schema.ts";
import { BROKER_CAUSES, brokerCheck } from "../scripts/doctor/broker-check.ts";
import { CAMERA_CAUSES, cameraCheck, SERIAL_CAUSES, serialCheck } from "../scripts/doctor/device-checks.ts";
import { findExecutable } from "../scripts/executables.ts";
import { Mosquitto, mosquittoDaemon } from "./support/mosquitto.ts";
import { realStackAvailable } from "./support/real-stack.ts";

/** doctor's device and broker checks, each failing for its cause with that cause's hint. */
const EXAMPLE = resolve(import.meta.dirname, "..", "config", "examples", "raspberry-pi.yaml");

function station(edit: (doc: ReturnType<typeof parseDocument>) => void): StationConfig {
  const doc = parseDocument(readFileSync(EXAMPLE, "utf8"));
  edit(doc);
  const r = parseConfigText(doc.toString(), resolve(EXAMPLE, ".."));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

describe("doctor: serial devices", () => {
  const dir = mkdtempSync(join(tmpdir(), "ws-serial-"));

  it("a by-id path that is not there: missing, with what is present instead", async () => {
    const r = await serialCheck(station(() => {})).run();
    expect(r.ok).toBe(false);
    expect(r.detail).toContain("modbus[0].path (rs485): /dev/serial/by-id/usb-FTDI");
    expect(r.detail).toContain("does not exist");
    expect(r.hint).toBe(SERIAL_CAUSES.missing.hint);
  });

  it("a path that is a file, not a device", async () => {
    const file = join(dir, "not-a-tty");
    writeFileSync(file, "");
    const r = await serialCheck(station((d) => d.setIn(["modbus", 0, "path"], file))).run();
    expect(r).toMatchObject({ ok: false, hint: SERIAL_CAUSES.notDevice.hint });
  });

  it("a device under a name that re-enumerates (ttyUSBn-like): use the by-id link", async () => {
    // /dev/null stands for a present character device named outside /dev/serial/by-id
    const r = await serialCheck(station((d) => d.setIn(["modbus", 0, "path"], "/dev/null"))).run();
    expect(r).toMatchObject({ ok: false, hint: SERIAL_CAUSES.unstable.hint });
    expect(r.detail).toContain("is present but its name may change");
  });

  it("no serial device configured: skipped", async () => {
    const r = await serialCheck(
      station((d) => {
        for (const k of ["modbus", "outlets", "cabinet"]) d.deleteIn([k]);
      }),
    ).run();
    expect(r).toMatchObject({ ok: true, skipped: true });
  });
});

describe("doctor: camera", () => {
  const withFace = (driver: string, device: string) =>
    station((d) => d.set("face", { camera: { driver, device } }));

  it("a USB camera: the program or the device missing, each with its fix", async () => {
    const r = await cameraCheck(withFace("v4l2", "/dev/video-none")).run();
    expect(r.ok).toBe(false);
    if (findExecutable("ffmpeg")) {
      expect(r).toMatchObject({
        detail: "/dev/video-none does not exist",
        hint: CAMERA_CAUSES.noDevice.hint,
      });
    } else {
      expect(r).toMatchObject({ detail: "ffmpeg is not installed", hint: CAMERA_CAUSES.noTool.hint });
    }
  });

  it("a CSI camera without rpicam-vid; no face section: skipped", async () => {
    if (!findExecutable("rpicam-vid")) {
      const r = await cameraCheck(withFace("rpicam", "/dev/video0")).run();
      expect(r).toMatchObject({ ok: false, hint: CAMERA_CAUSES.noTool.hint });
    }
    expect(await cameraCheck(station(() => {})).run()).toMatchObject({ ok: true, skipped: true });
  });
});

describe("doctor: broker TLS and ACL", () => {
  it("a real station to a remote broker without TLS fails before connecting", async () => {
    const c = station((d) => {
      d.setIn(["mqtt", "url"], "mqtt://192.0.2.10:1883");
      d.deleteIn(["mqtt", "tls"]);
    });
    const r = await brokerCheck(c, () => undefined).run();
    expect(r).toMatchObject({ ok: false, hint: BROKER_CAUSES.plaintext.hint });
  });

  describe("against a real Mosquitto", () => {
    if (!realStackAvailable(mosquittoDaemon)) return;
    const brokers: Mosquitto[] = [];
    afterAll(async () => {
      for (const b of brokers) await b.stop();
    });
    const at = async (listener: string[]) => {
      const b = new Mosquitto({ listener });
      brokers.push(b);
      await b.start();
      return station((d) => {
        d.setIn(["mqtt", "url"], b.url);
        d.deleteIn(["mqtt", "tls"]);
      });
    };

    it("no ACL: another station's commands could be read — fails with the ACL's fix", async () => {
      const r = await brokerCheck(await at([]), () => undefined).run();
      expect(r.ok).toBe(false);
      expect(r.detail).toContain("granted a subscription to another station's commands");
      expect(r.hint).toBe(BROKER_CAUSES.acl.hint);
    }, 30_000);

    it("the per-station ACL in force: passes", async () => {
      const dir = mkdtempSync(join(tmpdir(), "ws-acl-"));
      chmodSync(dir, 0o755);
      const acl = join(dir, "acl");
      writeFileSync(acl, "pattern read waystation/v1/%u/cmd\npattern write waystation/v1/%u/events\n");
      chmodSync(acl, 0o644);
      const r = await brokerCheck(await at([`acl_file ${acl}`]), () => undefined).run();
      expect(r.ok, r.detail).toBe(true);
      expect(r.detail).toContain("ACL in force");
    }, 30_000);
  });
});
