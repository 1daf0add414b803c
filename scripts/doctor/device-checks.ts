import { accessSync, constants, readdirSync, statSync } from "node:fs";
import type { StationConfig } from "../../config/schema.ts";
import type { CheckCause, CheckResult, DoctorCheck } from "../../controller/subsystem.ts";
import { findExecutable } from "../executables.ts";

/** Names that stay put across reboots and re-plugging: by-id links, our udev links, the Pi's UART. */
const STABLE = [
  /^\/dev\/serial\/by-(id|path)\//,
  /^\/dev\/waystation-/,
  /^\/dev\/serial[01]$/,
  /^\/dev\/ttyAMA\d$/,
];
const BY_ID = "/dev/serial/by-id";

export const SERIAL_CAUSES = {
  missing: {
    cause: "the device path does not exist (unplugged, another adapter, or a typo)",
    hint: "plug the adapter in and look: ls -l /dev/serial/by-id/; dmesg | tail; then put that path in the station file",
  },
  notDevice: {
    cause: "the path exists but is not a serial device",
    hint: "point the setting at the adapter's /dev/serial/by-id/... link, not a file or directory",
  },
  denied: {
    cause: "the service user may not open the device",
    hint: "sudo usermod -aG dialout waystation (the .deb does this), and check the udev rule's GROUP/MODE",
  },
  unstable: {
    cause: "a /dev/ttyUSBn or /dev/ttyACMn name: these swap when adapters re-enumerate",
    hint: "use the stable /dev/serial/by-id/... link (or the udev name /dev/waystation-...): ls -l /dev/serial/by-id/",
  },
} as const satisfies Record<string, CheckCause>;

/** Every serial device the station file names, with the setting that names it. */
export function serialDevices(config: StationConfig): { setting: string; path: string }[] {
  const out: { setting: string; path: string }[] = [];
  config.modbus.forEach((b, i) => {
    if (b.kind === "real" && b.path) out.push({ setting: `modbus[${i}].path (${b.id})`, path: b.path });
  });
  const occ = config.occupancy;
  if (occ?.radar && occ.radar.port !== "simulated")
    out.push({ setting: "occupancy.radar.port", path: occ.radar.port });
  if (occ?.board && occ.board.port !== "simulated")
    out.push({ setting: "occupancy.board.port", path: occ.board.port });
  return out;
}

function byIdListing(): string {
  try {
    const names = readdirSync(BY_ID);
    return names.length ? `; present in ${BY_ID}: ${names.join(", ")}` : `; ${BY_ID} is empty`;
  } catch {
    return `; there is no ${BY_ID} (no USB serial adapter plugged in)`;
  }
}

const fail = (c: CheckCause, detail: string): CheckResult => ({ ok: false, detail, hint: c.hint });

export function probeSerial(setting: string, path: string): CheckResult {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path); // follows the by-id link to the tty
  } catch {
    return fail(SERIAL_CAUSES.missing, `${setting}: ${path} does not exist${byIdListing()}`);
  }
  if (!st.isCharacterDevice()) return fail(SERIAL_CAUSES.notDevice, `${setting}: ${path} is not a device`);
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch {
    return fail(SERIAL_CAUSES.denied, `${setting}: ${path} exists, but this user may not open it`);
  }
  if (!STABLE.some((re) => re.test(path)))
    return fail(
      SERIAL_CAUSES.unstable,
      `${setting}: ${path} is present but its name may change${byIdListing()}`,
    );
  return { ok: true, detail: `${setting}: ${path} present` };
}

/** Each serial device present under a stable name, checked from here (no port is opened). */
export function serialCheck(config: StationConfig): DoctorCheck {
  return {
    id: "serial",
    title: "each serial device present, by a stable (by-id) path",
    causes: Object.values(SERIAL_CAUSES),
    run: async () => {
      const devices = serialDevices(config);
      if (devices.length === 0)
        return { ok: true, skipped: true, detail: "the station file names no serial device" };
      const results = devices.map((d) => probeSerial(d.setting, d.path));
      const bad = results.filter((r) => !r.ok);
      if (bad.length === 0) return { ok: true, detail: results.map((r) => r.detail).join("; ") };
      return {
        ok: false,
        detail: bad.map((r) => r.detail).join("; "),
        hint: [...new Set(bad.map((r) => r.hint))].join("; "),
      };
    },
  };
}

export const CAMERA_CAUSES = {
  noDevice: {
    cause: "the USB camera's V4L2 device is missing",
    hint: "plug the camera in; v4l2-ctl --list-devices shows its /dev/videoN; set face.camera.device",
  },
  denied: {
    cause: "the service user may not open the camera",
    hint: "sudo usermod -aG video waystation, then systemctl restart waystation",
  },
  noTool: {
    cause: "the program that reads the camera is not installed",
    hint: "CSI camera: sudo apt-get install -y rpicam-apps; USB camera: sudo apt-get install -y ffmpeg",
  },
} as const satisfies Record<string, CheckCause>;

/** The camera the face subsystem reads, and the program it reads it through. */
export function cameraCheck(config: StationConfig): DoctorCheck {
  return {
    id: "camera",
    title: "camera present for face verification",
    causes: Object.values(CAMERA_CAUSES),
    run: async () => {
      const face = config.face;
      if (!face) return { ok: true, skipped: true, detail: "no face section: no camera to check" };
      if (config.hardware.mode !== "real")
        return { ok: true, skipped: true, detail: "simulated hardware: the simulator plays the camera" };
      const cam = face.camera;
      const tool = cam.driver === "rpicam" ? "rpicam-vid" : "ffmpeg";
      if (!findExecutable(tool)) return fail(CAMERA_CAUSES.noTool, `${tool} is not installed`);
      if (cam.driver === "rpicam") return { ok: true, detail: `CSI camera through ${tool}` };
      try {
        if (!statSync(cam.device).isCharacterDevice())
          return fail(CAMERA_CAUSES.noDevice, `${cam.device} is not a device`);
      } catch {
        return fail(CAMERA_CAUSES.noDevice, `${cam.device} does not exist`);
      }
      try {
        accessSync(cam.device, constants.R_OK);
      } catch {
        return fail(CAMERA_CAUSES.denied, `${cam.device} exists, but this user may not open it`);
      }
      return { ok: true, detail: `${cam.device} present, read through ${tool}` };
    },
  };
}
