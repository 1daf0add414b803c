import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeb } from "../scripts/build-deb.mjs";
import { freePort } from "./support/net.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { writeStationFile } from "./support/station-file.ts";
import { verifyUnit } from "./support/systemd.ts";
import { waitFor } from "./support/wait.ts";

/**
 * The Debian package as a technician gets it: built by scripts/build-deb.mjs, inspected with
 * dpkg-deb, unpacked, and then the packaged controller (bundle + native addons) runs a station
 * and the packaged command reaches it through its control socket. The maintainer script runs
 * against stub commands that record what it would do to the system.
 */
describe("the Debian package", () => {
  if (!realStackAvailable(daemon("dpkg-deb", "dpkg"))) return;

  const work = mkdtempSync(join(tmpdir(), "ws-deb-"));
  const root = join(work, "root");
  let deb: string;
  let station: ChildProcess | undefined;
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
    version: string;
  };

  beforeAll(async () => {
    deb = await buildDeb(join(work, "out"));
    execFileSync("dpkg-deb", ["-x", deb, root]);
    execFileSync("dpkg-deb", ["-e", deb, join(root, "DEBIAN")]);
  }, 180_000);

  afterAll(() => {
    station?.kill("SIGKILL");
  });

  it("names itself, depends on Node 20 and systemd, and marks the udev rules a conffile", () => {
    const info = execFileSync("dpkg-deb", ["-I", deb], { encoding: "utf8" });
    expect(info).toContain("Package: waystation");
    expect(info).toContain(`Version: ${pkg.version}`);
    expect(info).toMatch(/Depends: nodejs \(>= 20\), systemd/);
    expect(readFileSync(join(root, "DEBIAN", "conffiles"), "utf8").trim()).toBe(
      "/etc/udev/rules.d/60-waystation.rules",
    );
  });

  it("holds the command on the PATH, the unit, the rules, the bundle and the compiled addons", () => {
    const list = execFileSync("dpkg-deb", ["-c", deb], { encoding: "utf8" }).split("\n");
    const entry = (path: string) => list.find((l) => l.endsWith(` ${path}`));
    expect(entry("./usr/bin/waystation")).toMatch(/^-rwxr-xr-x root\/root/);
    for (const p of [
      "./lib/systemd/system/waystation.service",
      "./etc/udev/rules.d/60-waystation.rules",
      "./usr/lib/waystation/dist/waystation.mjs",
      "./usr/lib/waystation/dist/journal-worker.cjs",
      "./usr/lib/waystation/node_modules/better-sqlite3/build/Release/better_sqlite3.node",
      "./usr/lib/waystation/dist/face-service.mjs",
      "./usr/lib/waystation/dist/list-worker.cjs",
      "./usr/lib/waystation/node_modules/@vladmandic/human/dist/human.node-wasm.js",
      "./usr/lib/waystation/node_modules/@vladmandic/human/models/faceres.bin",
      "./usr/lib/waystation/node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm",
    ]) {
      expect(entry(p), p).toBeDefined();
    }
    // no build leftovers, no TypeScript loader, none of human's models the door does not use
    expect(list.filter((l) => /obj\.target|\/deps\/|node_modules\/tsx\//.test(l))).toEqual([]);
    expect(list.filter((l) => /human\/models\/(emotion|movenet|handtrack)/.test(l))).toEqual([]);
  });

  it("its unit passes systemd-analyze verify", () => {
    if (!daemon("systemd-analyze", "systemd").path) return;
    const unit = readFileSync(join(root, "lib/systemd/system/waystation.service"), "utf8");
    const r = verifyUnit(unit, join(root, "usr/bin/waystation"));
    expect(r.output).toBe("");
  });

  it("its controller runs a station, and its command reaches it through the control socket", async () => {
    const dir = join(work, "station");
    const file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      allowUid: "04A1B2C3",
    });
    const bundle = join(root, "usr/lib/waystation/dist/waystation.mjs");
    let out = "";
    station = spawn(process.execPath, [bundle, "run", "--config", file], {
      env: { ...process.env, WAYSTATION_LOG_JSON: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    station.stdout?.on("data", (d) => {
      out += d;
    });
    await waitFor(() => out.includes('"msg":"station ready"'), "the packaged station ready", 20_000);
    // the installed wrapper runs /usr/bin/node on /usr/lib/waystation: run its bundle the same way
    const tap = spawnSync(process.execPath, [bundle, "sim", "tap", "04A1B2C3"], {
      env: { ...process.env, WAYSTATION_CONFIG: file },
      encoding: "utf8",
    });
    expect(tap.stderr).toBe("");
    expect(JSON.parse(tap.stdout)).toMatchObject({ event: "access.granted" });
    const wrapper = readFileSync(join(root, "usr/bin/waystation"), "utf8");
    expect(wrapper).toContain("exec /usr/bin/node /usr/lib/waystation/dist/waystation.mjs");
  }, 60_000);

  it("its face process loads the shipped models from the package alone", async () => {
    const dir = join(work, "face-station");
    const file = writeStationFile(dir, {
      brokerUrl: `mqtt://127.0.0.1:${await freePort()}`,
      extra: "face: {}",
    });
    const bundle = join(root, "usr/lib/waystation/dist/waystation.mjs");
    // run from outside the repository, so nothing can come from its node_modules
    const face = spawn(process.execPath, [bundle, "run", "--config", file], {
      cwd: work,
      env: { ...process.env, WAYSTATION_LOG_JSON: "1", NODE_PATH: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    face.stdout?.on("data", (d) => {
      out += d;
    });
    try {
      await waitFor(
        () => out.includes('"msg":"face process up"'),
        "the packaged face process up",
        170_000,
        200,
      );
      expect(out).not.toContain("FACE_ENGINE");
    } finally {
      face.kill("SIGTERM");
    }
  }, 180_000);

  it("postinst creates the service user in gpio and dialout, its data dir, and reloads udev", () => {
    const stubs = join(work, "stubs");
    mkdirSync(stubs, { recursive: true });
    const log = join(work, "calls.log");
    for (const cmd of ["getent", "groupadd", "useradd", "usermod", "install", "udevadm", "systemctl"]) {
      // getent finds nothing: a fresh system
      writeFileSync(
        join(stubs, cmd),
        `#!/bin/sh\necho "${cmd} $*" >> ${log}\n${cmd === "getent" ? "exit 2\n" : "exit 0\n"}`,
      );
      chmodSync(join(stubs, cmd), 0o755);
    }
    const r = spawnSync("sh", [join(root, "DEBIAN", "postinst"), "configure"], {
      env: { PATH: `${stubs}:/usr/bin:/bin` },
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const calls = readFileSync(log, "utf8");
    expect(calls).toContain("groupadd --system gpio");
    expect(calls).toContain("groupadd --system dialout");
    expect(calls).toMatch(/useradd --system --user-group --home-dir \/var\/lib\/waystation .* waystation/);
    expect(calls).toContain("usermod --append --groups gpio,dialout waystation");
    expect(calls).toContain("install -d -o waystation -g waystation -m 0700 /var/lib/waystation");
    expect(calls).toContain("install -d -o root -g waystation -m 0750 /etc/waystation");
    for (const s of ["postinst", "prerm", "postrm"]) {
      expect(spawnSync("sh", ["-n", join(root, "DEBIAN", s)]).status, s).toBe(0);
    }
  });
});
