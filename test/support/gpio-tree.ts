import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "../../scripts/executables.ts";
import type { Daemon } from "./real-stack.ts";

/**
 * A GPIO sysfs tree made of plain files, for the real onoff driver (stacks.md, "Test machinery"):
 * onoff treats a `gpioN/` directory that exists as exported and then only reads and writes its
 * `direction`, `value` and `active_low` files. Mounted over /sys/class/gpio in a private mount
 * namespace, it lets a process drive its lock relay through the real driver, and the level the
 * process left when it died stays in `value` for the test to read. (Inputs with edges need epoll
 * on sysfs, which plain files refuse: only outputs are real here.)
 */
export const CHIP_BASE = 512; // a Pi 4 on Bookworm: BCM n is sysfs 512 + n

const unshare = findExecutable("unshare");
const root = process.getuid?.() === 0;
const MOUNT_SCRIPT =
  'mount -t tmpfs waystation-test /sys/class && mkdir /sys/class/gpio && mount --bind "$0" /sys/class/gpio && exec "$@"';

function probe(): boolean {
  if (!unshare) return false;
  const dir = mkdtempSync(join(tmpdir(), "ws-gpio-probe-"));
  const r = spawnSync(unshare, [root ? "-m" : "-rm", "sh", "-c", MOUNT_SCRIPT, dir, "true"], {
    stdio: "ignore",
  });
  return r.status === 0;
}

/** `unshare --mount` able to mount the tree: root, or unprivileged user namespaces. */
export const gpioNamespace: Daemon = {
  name: "a private mount namespace (unshare --mount)",
  path: probe() ? unshare : undefined,
  install: unshare
    ? "run the tests as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
    : "sudo apt-get install -y util-linux",
};

export class GpioTree {
  readonly dir = mkdtempSync(join(tmpdir(), "ws-gpio-"));

  /** A header chip and each given BCM pin exported as an output at `level`. */
  constructor(outputs: Record<number, 0 | 1>) {
    const chip = join(this.dir, `gpiochip${CHIP_BASE}`);
    mkdirSync(chip);
    writeFileSync(join(chip, "label"), "pinctrl-bcm2711\n");
    writeFileSync(join(chip, "base"), `${CHIP_BASE}\n`);
    writeFileSync(join(chip, "ngpio"), "58\n");
    writeFileSync(join(this.dir, "export"), "");
    writeFileSync(join(this.dir, "unexport"), "");
    for (const [bcm, level] of Object.entries(outputs)) {
      const line = join(this.dir, `gpio${CHIP_BASE + Number(bcm)}`);
      mkdirSync(line);
      writeFileSync(join(line, "direction"), "out\n");
      writeFileSync(join(line, "active_low"), "0\n");
      writeFileSync(join(line, "value"), `${level}\n`);
    }
  }

  /** The electrical level of a BCM pin as the last writer left it (value, corrected for active_low). */
  level(bcm: number): 0 | 1 {
    const line = join(this.dir, `gpio${CHIP_BASE + bcm}`);
    const value = readFileSync(join(line, "value"), "utf8").trim() === "1";
    const activeLow = readFileSync(join(line, "active_low"), "utf8").trim() === "1";
    return value !== activeLow ? 1 : 0;
  }

  /** Leave a pin at an electrical level, as a process that died driving it would have. */
  drive(bcm: number, level: 0 | 1): void {
    const line = join(this.dir, `gpio${CHIP_BASE + bcm}`);
    const activeLow = readFileSync(join(line, "active_low"), "utf8").trim() === "1";
    writeFileSync(join(line, "value"), `${(level === 1) !== activeLow ? 1 : 0}\n`);
  }

  set(bcm: number, level: 0 | 1): void {
    writeFileSync(join(this.dir, `gpio${CHIP_BASE + bcm}`, "value"), `${level}\n`);
  }

  /** argv run in a mount namespace of its own with this tree as /sys/class/gpio. */
  wrap(argv: readonly string[]): string[] {
    if (!unshare) throw new Error("unshare is missing");
    return [unshare, root ? "-m" : "-rm", "sh", "-c", MOUNT_SCRIPT, this.dir, ...argv];
  }
}
