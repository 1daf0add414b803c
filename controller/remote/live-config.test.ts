import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StationConfigSchema } from "../../config/schema.ts";
import {
  effectiveConfig,
  localOverrides,
  saveDesired,
  snapshotFile,
  withoutPaths,
} from "./desired-config.ts";
import { isLivePath, restartPaths } from "./live-config.ts";

const file = (over: Record<string, unknown> = {}) =>
  StationConfigSchema.parse({
    station: { id: "st-1" },
    dataDir: mkdtempSync(join(tmpdir(), "ws-live-")),
    secretsFile: "/tmp/none.yaml",
    mqtt: { url: "mqtt://127.0.0.1:1" },
    hardware: {
      mode: "simulated",
      gpio: { lockRelay: { pin: 17 }, doorContact: { pin: 27 }, exitButton: { pin: 22 } },
      readers: [{ id: "entry", kind: "simulated" }],
    },
    door: { lockMode: "fail-secure" },
    ...over,
  });

describe("which changed paths apply live", () => {
  it.each([
    ["door.unlockMs", true],
    ["access.schedules.day", true],
    ["access.holidays", true],
    ["access.lockout.threshold", true],
    ["door.lockMode", false],
    ["door.passage.windows", false],
    ["access.timezone", false],
    ["access.allowList", false],
    ["access.degraded.faceDown", false],
    ["door.unlockMsX", false],
  ])("%s → live %s", (path, live) => {
    expect(isLivePath(path)).toBe(live);
  });

  it("one restart path among live ones makes it a restart", () => {
    expect(restartPaths(["door.unlockMs", "access.timezone"])).toEqual(["access.timezone"]);
    expect(restartPaths(["door.unlockMs", "access.holidays"])).toEqual([]);
  });
});

describe("a technician's local override of a path the centre set", () => {
  it("is found where the file moved since the accept, and the local value runs there", () => {
    const before = file();
    const desired = { door: { unlockMs: 7000, maxOpenMs: 20_000 } };
    saveDesired(before.dataDir, {
      version: 2,
      id: "c",
      kid: "k",
      config: desired,
      fileAtAccept: snapshotFile(before, desired),
    });
    expect(effectiveConfig(before)).toMatchObject({ overrides: [], config: { door: { unlockMs: 7000 } } });
    const edited = { ...before, door: { ...before.door, unlockMs: 9000 } };
    const eff = effectiveConfig(edited);
    expect(eff.overrides).toEqual(["door.unlockMs"]);
    expect(eff.config.door.unlockMs).toBe(9000);
    expect(eff.config.door.maxOpenMs).toBe(20_000);
    expect(localOverrides(edited, { version: 2, id: "c", kid: "k", config: desired })).toEqual([]);
  });

  it("withoutPaths drops only the named leaves", () => {
    expect(
      withoutPaths({ door: { unlockMs: 1, maxOpenMs: 2 }, access: { holidays: [] } }, ["door.unlockMs"]),
    ).toEqual({
      door: { maxOpenMs: 2 },
      access: { holidays: [] },
    });
  });
});
