import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfigFile } from "../../config/load.ts";
import type { StationConfig } from "../../config/schema.ts";
import { createSecretsFile } from "../../config/secrets.ts";
import type { CheckCause } from "../../controller/subsystem.ts";
import { localChecks } from "../commands/doctor.ts";
import { PACKAGE_ROOT } from "../paths.ts";
import { offlineChecks } from "./offline-checks.ts";

export interface CatalogueEntry {
  readonly id: string;
  readonly title: string;
  /** who runs it: doctor itself, or the running station's subsystem */
  readonly where: string;
  readonly causes: readonly CheckCause[];
}

export const CONFIG_CHECK: CatalogueEntry = {
  id: "config",
  title: "station file valid",
  where: "doctor",
  causes: [
    {
      cause: "the station file cannot be read",
      hint: "pass the path of the station file, e.g. --config /etc/waystation/config.yaml (the service's is /etc/waystation/config.yaml)",
    },
    {
      cause: "a setting is wrong or unknown",
      hint: "waystation config validate FILE names each setting with its line and a hint; fix those and run doctor again",
    },
  ],
};

/**
 * Every doctor check there is, from the definitions themselves: doctor's own checks (built for
 * the demo's station file, turned to real hardware so the hardware probes exist too) and each
 * subsystem's `doctorChecks`, read off a demo station that is built and started in a temp data
 * directory and stopped again. Nothing here is a list kept by hand.
 */
export async function doctorCatalogue(): Promise<CatalogueEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), "ws-catalogue-"));
  try {
    const demo = loadConfigFile(join(PACKAGE_ROOT, "config", "demo.yaml"));
    const config: StationConfig = {
      ...demo,
      dataDir: join(dir, "data"),
      secretsFile: join(dir, "secrets.yaml"),
      // a port nothing listens on: the station starts offline, which is all this needs
      mqtt: { ...demo.mqtt, url: "mqtt://127.0.0.1:9" },
      broker: { ...demo.broker, embedded: false },
      console: { ...demo.console, enabled: false },
    };
    createSecretsFile(config.secretsFile);
    const real = { ...config, hardware: { ...config.hardware, mode: "real" as const } } as StationConfig;
    const entries: CatalogueEntry[] = [CONFIG_CHECK];
    const add = (e: { id: string; title: string; causes?: readonly CheckCause[] }, where: string) => {
      if (!entries.some((x) => x.id === e.id)) entries.push({ ...e, where, causes: e.causes ?? [] });
    };
    for (const c of localChecks(real, { file: join(dir, "station.yaml") }, {})) add(c, "doctor");
    for (const c of offlineChecks(real)) add(c, "doctor (station stopped)");
    const { bootStation } = await import("../boot.ts");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(config.dataDir, { mode: 0o700 });
    const booted = await bootStation({ config, logger: pino({ level: "silent" }), pcscStack: "off" });
    try {
      for (const s of booted.station.subsystems)
        for (const c of s.doctorChecks ?? []) add(c, `the station (${s.name})`);
    } finally {
      await booted.stop();
    }
    return entries;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
