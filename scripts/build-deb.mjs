#!/usr/bin/env node
// Builds the station's Debian package with dpkg-deb: `node scripts/build-deb.mjs [--out DIR]`.
// It packages the bundled controller (dist/, scripts/build.mjs) with the runtime node_modules it
// keeps external (the native addons and pino's transports) for THIS machine's architecture:
// build it on the board's architecture (on a Pi, or in an arm64 chroot), since better-sqlite3,
// pcsclite and epoll are compiled. Prints the path of the .deb.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bundle, bundleSidecars, NATIVE } from "./build.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const SERVICE = join(ROOT, "scripts", "service");
const LIB = "usr/lib/waystation";

/**
 * What a compiled addon leaves behind that nothing loads at run time: object files, the copy of
 * SQLite's sources, test extensions, nested node_modules (copied on their own by closure()).
 * Not `src/` in general: plain JS packages (debug, for serialport) load from theirs.
 */
const BUILD_LEFTOVERS =
  /^\/(node_modules|deps|build\/deps)(\/|$)|^\/src\/.*\.(cpp|cc|c|h|hpp|lzz)$|\/build\/Release\/(obj\.target|obj|\.deps)(\/|$)|\.(o|a|mk)$|test_extension\.node$/;

/** The packages a module needs at run time, following dependencies and optional ones that are installed. */
function closure(names) {
  const seen = new Set();
  const visit = (name, from) => {
    // Resolve as Node would: nested node_modules first, then the top level.
    const candidates = [join(from, "node_modules", name), join(ROOT, "node_modules", name)];
    const dir = candidates.find((d) => existsSync(join(d, "package.json")));
    if (!dir || seen.has(dir)) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  for (const n of names) visit(n, ROOT);
  return [...seen];
}

/**
 * The face process's packages (they stay outside its bundle: tfjs finds its WASM binaries and
 * @vladmandic/human its models on disk). Of human only the WASM build and the five models the
 * door uses are kept: the package is 43 MB, this is about 9.
 */
const FACE_RUNTIME = [
  "@vladmandic/human",
  "@tensorflow/tfjs-core",
  "@tensorflow/tfjs-converter",
  "@tensorflow/tfjs-backend-wasm",
  "jpeg-js",
  "pngjs",
];
const HUMAN_KEPT =
  /^\/(package\.json|LICENSE|dist(\/human\.node-wasm\.js)?|models(\/(blazeface|facemesh|faceres|antispoof|liveness)\.(json|bin))?)$/;
/** What of a package the station loads: human pruned as above; sources maps and type files of none. */
function keptAtRunTime(pkgDir, rel) {
  if (pkgDir.endsWith("/@vladmandic/human")) return rel === "" || HUMAN_KEPT.test(rel);
  return !/\.(d\.ts|map|md)$/.test(rel) || rel === "";
}

function write(file, text, mode = 0o644) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

export async function buildDeb(outDir) {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const arch = execFileSync("dpkg", ["--print-architecture"], { encoding: "utf8" }).trim();
  const stage = join(tmpdir(), `waystation-deb-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  const lib = join(stage, LIB);

  // The controller, bundled (no TypeScript loader in production) with its workers and face process.
  await bundle(join(ROOT, "scripts", "cli.ts"), join(lib, "dist", "waystation.mjs"));
  await bundleSidecars(join(lib, "dist"));
  write(
    join(lib, "package.json"),
    `${JSON.stringify({ name: pkg.name, version: pkg.version, type: "module", private: true, license: pkg.license }, null, 2)}\n`,
  );
  for (const f of ["schema.json", "demo.yaml"])
    copyFileSync(join(ROOT, "config", f), join(mkdirp(join(lib, "config")), f));
  cpSync(join(ROOT, "config", "examples"), join(lib, "config", "examples"), { recursive: true });
  // esbuild only serves `bench` and the sources' journal worker: not on a station.
  for (const dir of closure(NATIVE.filter((n) => n !== "esbuild"))) {
    const rel = dir.slice(ROOT.length + 1);
    cpSync(dir, join(lib, rel), {
      recursive: true,
      filter: (src) => !BUILD_LEFTOVERS.test(src.slice(dir.length)),
    });
  }
  for (const dir of closure(FACE_RUNTIME)) {
    const rel = dir.slice(ROOT.length + 1);
    cpSync(dir, join(lib, rel), {
      recursive: true,
      filter: (src) =>
        !src.slice(dir.length).startsWith("/node_modules") && keptAtRunTime(dir, src.slice(dir.length)),
    });
  }

  write(join(stage, "usr/bin/waystation"), readFileSync(join(SERVICE, "waystation.sh"), "utf8"), 0o755);
  write(
    join(stage, "lib/systemd/system/waystation.service"),
    readFileSync(join(SERVICE, "waystation.service"), "utf8"),
  );
  write(
    join(stage, "etc/udev/rules.d/60-waystation.rules"),
    readFileSync(join(SERVICE, "60-waystation.rules"), "utf8"),
  );
  for (const doc of [
    "install.md",
    "commissioning.md",
    "commissioning.zh-CN.md",
    "wiring.md",
    "configuration.md",
  ]) {
    const src = join(ROOT, "docs", doc);
    if (existsSync(src)) write(join(stage, "usr/share/doc/waystation", doc), readFileSync(src, "utf8"));
  }

  const installedKb = execFileSync("du", ["-sk", "--exclude=DEBIAN", stage], { encoding: "utf8" }).split(
    "\t",
  )[0];
  write(
    join(stage, "DEBIAN/control"),
    [
      "Package: waystation",
      `Version: ${pkg.version}`,
      `Architecture: ${arch}`,
      "Maintainer: Waystation project <waystation@example.invalid>",
      `Installed-Size: ${installedKb}`,
      "Depends: nodejs (>= 20), systemd, passwd",
      "Recommends: pcscd",
      "Section: misc",
      "Priority: optional",
      "Homepage: https://example.invalid/waystation",
      `Description: ${pkg.description}`,
      " The station controller (door, access, journal, MQTT reporting) as a systemd service,",
      " with the waystation command for technicians (doctor, selftest, sim, door fire-reset).",
      "",
    ].join("\n"),
  );
  write(join(stage, "DEBIAN/conffiles"), "/etc/udev/rules.d/60-waystation.rules\n");
  for (const s of ["postinst", "prerm", "postrm"])
    write(join(stage, "DEBIAN", s), readFileSync(join(SERVICE, s), "utf8"), 0o755);

  mkdirSync(outDir, { recursive: true });
  const deb = join(outDir, `waystation_${pkg.version}_${arch}.deb`);
  execFileSync("dpkg-deb", ["--root-owner-group", "-Zxz", "--build", stage, deb], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  rmSync(stage, { recursive: true, force: true });
  return deb;
}

function mkdirp(dir) {
  mkdirSync(dir, { recursive: true });
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: "string", default: join(ROOT, "dist", "deb") } } });
  process.stdout.write(`${await buildDeb(resolve(values.out))}\n`);
}
