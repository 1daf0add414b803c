import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { CAMERA_CAUSES, SERIAL_CAUSES } from "../scripts/doctor/device-checks.ts";
import { GPIO_CAUSES } from "../scripts/doctor/offline-checks.ts";
import { findExecutable } from "../scripts/executables.ts";

/**
 * doctor's permission causes, honestly: root may open anything, so the probes run as the
 * unprivileged user `nobody` (setpriv, groups cleared), as the service user would without its
 * groups, over a temp tree: a GPIO sysfs whose `export` is mode 000, and a real character device
 * (mknod, the same device as /dev/null) at mode 000 standing for a serial adapter and a camera. The same tree opened up passes the
 * permission step, so what failed was the permission and nothing else.
 */
const ROOT = resolve(import.meta.dirname, "..");
const setpriv = findExecutable("setpriv");
const isRoot = process.getuid?.() === 0;
const canRun = isRoot && setpriv !== undefined;

interface Probe {
  ok: boolean;
  detail: string;
  hint?: string;
}

/**
 * Both probes, run as nobody in a child process; what they answered. The probe is bundled into
 * the temp tree first: nobody may not be able to read the checkout (a clone under a 0700
 * directory), and needs nothing of it.
 */
function probeAsNobody(sysfs: string, tty: string): { gpio: Probe; serial: Probe; camera: Probe } {
  const source = join(sysfs, "..", "probe-source.mts");
  const script = join(sysfs, "..", "probe.mjs");
  writeFileSync(
    source,
    `import { probeGpio } from ${JSON.stringify(join(ROOT, "device/gpio/gpio-probe.ts"))};
import { cameraCheck, probeSerial } from ${JSON.stringify(join(ROOT, "scripts/doctor/device-checks.ts"))};
const camera = cameraCheck({ hardware: { mode: "real" }, face: { camera: { driver: "v4l2", device: ${JSON.stringify(tty)} } } });
console.log(JSON.stringify({
  gpio: probeGpio(${JSON.stringify(sysfs)}, { lockRelay: 17 }),
  serial: probeSerial("modbus[0].path (rs485)", ${JSON.stringify(tty)}),
  camera: await camera.run(),
}));
`,
  );
  buildSync({
    entryPoints: [source],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: script,
    logLevel: "error",
  });
  chmodSync(script, 0o644);
  const r = spawnSync(
    setpriv ?? "setpriv",
    ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, script],
    {
      cwd: join(sysfs, ".."),
      encoding: "utf8",
      timeout: 30_000,
      // ffmpeg stands in present (an empty script): its absence is another cause, not this one's
      env: { ...process.env, PATH: `${join(sysfs, "..", "bin")}:${process.env.PATH ?? ""}` },
    },
  );
  if (r.status !== 0) throw new Error(`the probe as nobody failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { gpio: Probe; serial: Probe; camera: Probe };
}

function tree(): { sysfs: string; tty: string } {
  const dir = mkdtempSync(join(tmpdir(), "ws-perm-"));
  chmodSync(dir, 0o755); // nobody must reach the tree; only the files are locked
  const sysfs = join(dir, "gpio");
  const chip = join(sysfs, "gpiochip512");
  mkdirSync(chip, { recursive: true });
  writeFileSync(join(chip, "label"), "pinctrl-bcm2711\n");
  writeFileSync(join(chip, "base"), "512\n");
  writeFileSync(join(chip, "ngpio"), "58\n");
  writeFileSync(join(sysfs, "export"), "");
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "ffmpeg"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const tty = join(dir, "ttyUSB0");
  const mk = spawnSync("mknod", [tty, "c", "1", "3"]);
  if (mk.status !== 0) throw new Error(`mknod: ${mk.stderr}`);
  return { sysfs, tty };
}

describe.skipIf(!canRun && !process.env.WAYSTATION_REQUIRE_REAL_STACK)("doctor: permission causes", () => {
  it("GPIO export and a serial device at mode 000: each check fails with its permission cause", () => {
    const { sysfs, tty } = tree();
    chmodSync(join(sysfs, "export"), 0o000);
    chmodSync(tty, 0o000);
    const r = probeAsNobody(sysfs, tty);
    expect(r.gpio).toMatchObject({
      ok: false,
      detail: `${join(sysfs, "export")} is not writable by this user`,
    });
    expect(r.gpio.hint).toBe(GPIO_CAUSES[1]?.hint);
    expect(r.serial).toMatchObject({
      ok: false,
      detail: `modbus[0].path (rs485): ${tty} exists, but this user may not open it`,
      hint: SERIAL_CAUSES.denied.hint,
    });
    // the same device node as a USB camera's /dev/videoN
    expect(r.camera).toMatchObject({
      ok: false,
      detail: `${tty} exists, but this user may not open it`,
      hint: CAMERA_CAUSES.denied.hint,
    });
  });

  it("the same tree opened up: the permission step passes", () => {
    const { sysfs, tty } = tree();
    chmodSync(join(sysfs, "export"), 0o666);
    chmodSync(tty, 0o666);
    const r = probeAsNobody(sysfs, tty);
    expect(r.gpio).toMatchObject({ ok: true });
    // present and openable; what is left is its name (a ttyUSBn re-enumerates), not a permission
    expect(r.serial.hint).toBe(SERIAL_CAUSES.unstable.hint);
    expect(r.camera).toMatchObject({ ok: true, detail: `${tty} present, read through ffmpeg` });
  });
});
