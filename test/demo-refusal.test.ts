import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { isStationError } from "../config/errors.ts";
import { loadConfigFile } from "../config/load.ts";
import { startDemo } from "../scripts/demo.ts";
import { PACKAGE_ROOT } from "../scripts/paths.ts";
import { writeStationFile } from "./support/station-file.ts";

const logger = pino({ level: "silent" });

/**
 * `waystation demo --config` enrols the demo's cards, one a technician's that bypasses lockout.
 * Pointed at a real station's file or data directory it must refuse before writing anything.
 */
describe("the demo refuses a station that is not its own", () => {
  it("a station file with real hardware", async () => {
    const file = join(PACKAGE_ROOT, "config", "examples", "raspberry-pi.yaml");
    const dataDir = loadConfigFile(file).dataDir;
    const existed = existsSync(dataDir);
    const err = await startDemo({ logger, configFile: file }).catch((e: unknown) => e);
    expect(isStationError(err, "DEMO_REFUSED")).toBe(true);
    expect((err as Error).message).toContain("real hardware");
    expect(existsSync(dataDir)).toBe(existed);
  });

  it("a simulated station file whose data directory holds another station's store", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-demo-refuse-"));
    const dataDir = join(dir, "data");
    mkdirSync(dataDir, { mode: 0o700 });
    const store = join(dataDir, "credentials.db");
    writeFileSync(store, "a station's credentials", { mode: 0o600 });
    const before = statSync(store).mtimeMs;
    const file = writeStationFile(dir, { brokerUrl: "mqtt://127.0.0.1:1", dataDir });
    const err = await startDemo({ logger, configFile: file }).catch((e: unknown) => e);
    expect(isStationError(err, "DEMO_REFUSED")).toBe(true);
    expect(readFileSync(store, "utf8")).toBe("a station's credentials");
    expect(statSync(store).mtimeMs).toBe(before);
    // The same with --data-dir pointing there.
    const err2 = await startDemo({ logger, dataDir }).catch((e: unknown) => e);
    expect(isStationError(err2, "DEMO_REFUSED")).toBe(true);
  });
});
