import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isStationError } from "../../config/errors.ts";
import { loadConfigFile } from "../../config/load.ts";
import type { StationConfig } from "../../config/schema.ts";
import type { Secrets } from "../../config/secrets.ts";
import { controlSocketPath } from "../../config/sections/control.ts";
import type { CheckResult } from "../../controller/subsystem.ts";
import { EXIT } from "../cli/exit-codes.ts";
import { paint } from "../cli/output.ts";
import { sendControl, stationFileFor } from "../control-client.ts";
import { brokerCheck } from "../doctor/broker-check.ts";
import { cameraCheck, serialCheck } from "../doctor/device-checks.ts";
import {
  clockCheck,
  diskCheck,
  instanceCheck,
  journalCheck,
  type LocalCheck,
  type LocalCheckOptions,
  secretsCheck,
} from "../doctor/local-checks.ts";
import { offlineChecks } from "../doctor/offline-checks.ts";
import { PACKAGE_ROOT } from "../paths.ts";

export interface CheckLine extends CheckResult {
  readonly id: string;
  readonly title: string;
}

/**
 * The subsystems' own checks (GPIO, readers, ...): asked of the running station, which owns the
 * hardware; with no station running, what can be probed from here without taking the lines.
 */
async function subsystemChecks(config: StationConfig, running: boolean): Promise<CheckLine[]> {
  if (running) {
    const reply = await sendControl(controlSocketPath(config), "doctor", {});
    const checks = (reply.data as { checks?: CheckLine[] } | undefined)?.checks;
    if (reply.status === "ok" && checks) return checks;
    return [
      {
        id: "subsystems",
        title: "the station's own checks",
        ok: false,
        detail: `the station answered ${reply.code}`,
      },
    ];
  }
  if (config.hardware.mode !== "real") {
    return [
      {
        id: "hardware",
        title: "hardware",
        ok: true,
        skipped: true,
        detail: "simulated hardware: nothing to probe",
      },
    ];
  }
  const out: CheckLine[] = [];
  for (const c of offlineChecks(config)) out.push({ id: c.id, title: c.title, ...(await c.run()) });
  return out;
}

/** The checks doctor runs itself, whether or not the station runs: one list, for docs too. */
export function localChecks(
  config: StationConfig,
  local: LocalCheckOptions,
  got: { secrets?: Secrets; running?: boolean },
): LocalCheck[] {
  return [
    secretsCheck(config, got),
    instanceCheck(config, local),
    diskCheck(config, local.minFreeBytes),
    journalCheck(config),
    clockCheck(local),
    brokerCheck(
      config,
      () => got.secrets,
      () => got.running === true,
    ),
    serialCheck(config),
    cameraCheck(config),
  ];
}

export async function runDoctor(
  file: string,
  opts: Omit<LocalCheckOptions, "file"> = {},
): Promise<{ checks: CheckLine[]; configError: boolean }> {
  let config: StationConfig;
  try {
    config = loadConfigFile(file);
  } catch (err) {
    if (!isStationError(err)) throw err;
    const hint =
      err.code === "CONFIG_UNREADABLE"
        ? (err.details.hint ?? "")
        : `fix the settings named above; waystation config validate ${file} shows the same`;
    return {
      checks: [{ id: "config", title: "station file valid", ok: false, detail: err.message, hint }],
      configError: true,
    };
  }
  const checks: CheckLine[] = [
    {
      id: "config",
      title: "station file valid",
      ok: true,
      detail: `${file}: station ${config.station.id}, ${config.hardware.mode} hardware`,
    },
  ];
  const got: { secrets?: Secrets; running?: boolean } = {};
  const local = { ...opts, file };
  let running = false;
  for (const check of localChecks(config, local, got)) {
    const r = await check.run();
    if (check.id === "instance") {
      running = r.ok && r.detail.startsWith("the station answers");
      got.running = running;
    }
    checks.push({ id: check.id, title: check.title, ...r });
  }
  checks.push(...(await subsystemChecks(config, running)));
  return { checks, configError: false };
}

export function formatChecks(checks: readonly CheckLine[]): string {
  const lines = checks.flatMap((c) => [
    `${c.skipped ? paint("yellow", "SKIP") : c.ok ? paint("green", "PASS") : paint("red", "FAIL")}  ${c.title} [${c.id}]: ${c.detail}`,
    ...(!c.ok && c.hint ? [`      fix: ${c.hint}`] : []),
  ]);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push("", failed === 0 ? "all checks passed" : `${failed} check${failed === 1 ? "" : "s"} failed`);
  return `${lines.join("\n")}\n`;
}

export interface DoctorOptions {
  config?: string;
  json?: boolean;
  troubleshooting?: boolean;
  write?: boolean;
}

/** `waystation doctor`: exit 0 all passed, 1 a check failed, 2 usage or an invalid station file. */
export async function doctor(values: DoctorOptions): Promise<number> {
  if (values.troubleshooting) {
    const { doctorCatalogue } = await import("../doctor/catalogue.ts");
    const { troubleshootingMarkdown } = await import("../doctor/troubleshooting.ts");
    const text = troubleshootingMarkdown(await doctorCatalogue());
    if (values.write) writeFileSync(join(PACKAGE_ROOT, "docs", "troubleshooting.md"), text);
    else process.stdout.write(text);
    return 0;
  }
  const file = resolve(stationFileFor(values.config));
  const { checks, configError } = await runDoctor(file);
  const ok = checks.every((c) => c.ok);
  process.stdout.write(values.json ? `${JSON.stringify({ ok, checks })}\n` : formatChecks(checks));
  return configError ? EXIT.usage : ok ? EXIT.ok : EXIT.failed;
}
