import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SERVICE_ENV, SERVICE_NODE_FLAGS } from "../bench/service.ts";
import { daemon, realStackAvailable } from "./support/real-stack.ts";
import { verifyUnit } from "./support/systemd.ts";

const SERVICE = resolve(import.meta.dirname, "..", "scripts", "service");

/** The unit's settings, key by key (a key may repeat). */
function settings(unit: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of unit.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out.set(m[1], [...(out.get(m[1]) ?? []), m[2] ?? ""]);
  }
  return out;
}

describe("the systemd unit", () => {
  const text = readFileSync(join(SERVICE, "waystation.service"), "utf8");
  const s = settings(text);

  it("is a notify service with a watchdog, always restarted, putting the lock safe after it ends", () => {
    expect(s.get("Type")).toEqual(["notify"]);
    expect(s.get("NotifyAccess")).toEqual(["all"]); // systemd-notify is our child
    expect(Number(s.get("WatchdogSec")?.[0])).toBeGreaterThan(0);
    expect(s.get("Restart")).toEqual(["always"]);
    expect(Number(s.get("RestartSec")?.[0])).toBeGreaterThanOrEqual(1);
    expect(s.get("StartLimitIntervalSec")).toEqual(["0"]);
    expect(s.get("ExecStopPost")).toEqual([
      "/usr/bin/waystation lock safe --config /etc/waystation/config.yaml",
    ]);
    expect(s.get("ExecStart")?.[0]).toContain("run --config /etc/waystation/config.yaml");
    expect(s.get("SupplementaryGroups")).toEqual(["gpio dialout"]);
  });

  it("is hardened, writing only its data dir, and leaves the devices and GPIO sysfs it needs", () => {
    for (const [k, v] of [
      ["NoNewPrivileges", "yes"],
      ["ProtectSystem", "strict"],
      ["ReadWritePaths", "/var/lib/waystation"],
      ["ProtectHome", "yes"],
      ["PrivateTmp", "yes"],
      ["CapabilityBoundingSet", ""],
    ] as const) {
      expect(s.get(k), k).toEqual([v]);
    }
    for (const k of [
      "PrivateDevices",
      "ProtectKernelTunables",
      "ProtectClock",
      "DeviceAllow",
      "MemoryDenyWriteExecute",
    ]) {
      expect(s.has(k), k).toBe(false);
    }
  });

  it("runs node with the settings the memory benches measure (bench/service.ts)", () => {
    const s = settings(text);
    const env = new Map(
      (s.get("Environment") ?? [])
        .flatMap((l) => l.split(/\s+/))
        .map((kv) => kv.split("=") as [string, string]),
    );
    for (const [k, v] of Object.entries(SERVICE_ENV)) expect(env.get(k), k).toBe(v);
    const exec = (s.get("ExecStart") ?? [])[0] ?? "";
    for (const flag of SERVICE_NODE_FLAGS) expect(exec.split(" ")).toContain(flag);
  });

  describe("systemd-analyze verify", () => {
    if (!realStackAvailable(daemon("systemd-analyze", "systemd"))) return;

    it("accepts it without a warning", () => {
      const r = verifyUnit(text);
      expect(r.output).toBe("");
      expect(r.status).toBe(0);
    });

    it("would catch a misspelt key (the check is real)", () => {
      const r = verifyUnit(text.replace("WatchdogSec=", "WatchdogSecs="));
      expect(r.output).toContain("Unknown key 'WatchdogSecs'");
    });
  });
});

describe("the udev rules", () => {
  it("give each device a stable /dev/waystation-* name or a group, in rule syntax", () => {
    const rules = readFileSync(join(SERVICE, "60-waystation.rules"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    expect(rules.length).toBeGreaterThanOrEqual(4);
    const pair = /^\s*[A-Z]+(\{[a-zA-Z_]+\})?\s*(==|!=|=|\+=|:=)\s*"[^"]*"\s*$/;
    for (const rule of rules) {
      for (const part of rule.split(",")) expect(part, rule).toMatch(pair);
    }
    expect(rules.join("\n")).toContain('SYMLINK+="waystation-radar"');
  });
});

/** Shell syntax of the maintainer scripts (the package test runs them against stubs). */
describe("the maintainer scripts", () => {
  for (const name of ["postinst", "prerm", "postrm"]) {
    it(`${name} parses with sh -n`, () => {
      const r = spawnSync("sh", ["-n", join(SERVICE, name)], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }
});
