import { readdirSync, readFileSync, readlinkSync, statfsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { isStationError } from "../../config/errors.ts";
import type { StationConfig } from "../../config/schema.ts";
import { loadSecretsFile, type Secrets } from "../../config/secrets.ts";
import { controlSocketPath } from "../../config/sections/control.ts";
import { probeSocket } from "../../controller/control/control-server.ts";
import type { CheckCause, CheckResult } from "../../controller/subsystem.ts";
import { credentialKeyFingerprint } from "../../device/identity/hasher.ts";
import {
  DEFAULT_TIME_PATHS,
  type LinuxTimePaths,
  readTimeQuality,
} from "../../device/time/linux-time-source.ts";
import { LOCK_FILE, tryInstanceLock } from "../instance-lock.ts";
import { keyProblems, readStoredKeys } from "./key-check.ts";

/** A check the CLI runs itself (the station need not be running). */
export interface LocalCheck {
  readonly id: string;
  readonly title: string;
  readonly causes?: readonly CheckCause[];
  run(): Promise<CheckResult>;
}

/** Below either, the disk check fails: the journal must never be the reason a door stops. */
export const MIN_FREE_BYTES = 200 * 1024 * 1024;
export const MIN_FREE_RATIO = 0.05;

export interface LocalCheckOptions {
  /** the station file, resolved */
  file: string;
  timePaths?: LinuxTimePaths;
  /** /proc, for finding controllers running on the same station file (tests point it elsewhere) */
  procRoot?: string;
  /** free space below which the disk check fails */
  minFreeBytes?: number;
}

export function secretsCheck(config: StationConfig, out: { secrets?: Secrets }): LocalCheck {
  return {
    id: "secrets",
    title: "secrets file readable, mode 0600",
    causes: [
      {
        cause: "the secrets file is missing",
        hint: "create it as the service user: sudo -u waystation waystation secrets init /etc/waystation/secrets.yaml",
      },
      {
        cause: "others may read the secrets file (not mode 0600)",
        hint: "sudo chmod 600 /etc/waystation/secrets.yaml && sudo chown waystation: /etc/waystation/secrets.yaml",
      },
      {
        cause: "the key is not the one the enrolled cards were hashed with (fingerprints differ)",
        hint: "restore the fleet's key (the fingerprint doctor prints) in the secrets file; the station refuses to start until then",
      },
      {
        cause:
          "the central credential list is hashed under a key the station no longer holds (a rotation completed or rolled back with force)",
        hint: "have the central server send a full list under the station's key (the fingerprint doctor prints); until then the list's cards are refused",
      },
    ],
    run: async () => {
      try {
        out.secrets = loadSecretsFile(config.secretsFile);
        const mode = (statSync(config.secretsFile).mode & 0o777).toString(8).padStart(4, "0");
        const fingerprint = credentialKeyFingerprint(out.secrets.credentialKey);
        const file = join(config.dataDir, "credentials.db");
        const stored = safeExists(file) ? readStoredKeys(file) : undefined;
        const problems = stored ? keyProblems(stored, fingerprint, config.secretsFile) : [];
        if (problems.length > 0) {
          return {
            ok: false,
            detail: problems.map((p) => p.detail).join("; "),
            hint: problems.map((p) => p.hint).join("; "),
          };
        }
        return { ok: true, detail: `${config.secretsFile} (mode ${mode}; key fingerprint ${fingerprint})` };
      } catch (err) {
        if (!isStationError(err)) throw err;
        const hint =
          err.code === "SECRETS_PERMISSIONS"
            ? `sudo chmod 600 ${config.secretsFile} && sudo chown waystation: ${config.secretsFile}`
            : (err.details.hint ??
              `create it: sudo -u waystation waystation secrets init ${config.secretsFile}`);
        return { ok: false, detail: err.message, hint };
      }
    },
  };
}

/** Controllers running on this station file, from /proc (`run --config FILE`, or the demo). */
export function controllersOn(file: string, procRoot = "/proc"): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(join(procRoot, name, "cmdline"), "utf8").split("\0");
    } catch {
      continue;
    }
    const at = argv.indexOf("run");
    const cfg = argv.indexOf("--config");
    if (at < 0 || cfg < 0 || !argv.some((a) => a.endsWith("waystation.mjs"))) continue;
    let cwd = "/";
    try {
      cwd = readlinkSync(join(procRoot, name, "cwd"));
    } catch {
      // cannot see its cwd: compare as given
    }
    const given = argv[cfg + 1] ?? "";
    if (resolve(cwd, given) === file || given === file) pids.push(pid);
  }
  return pids;
}

export function instanceCheck(config: StationConfig, opts: LocalCheckOptions): LocalCheck {
  return {
    id: "instance",
    title: "one station on this file",
    causes: [
      {
        cause: "two controllers run on the same station file",
        hint: "stop the one not started by systemd (sudo kill PID), then systemctl restart waystation",
      },
      {
        cause: "a controller holds the data directory but does not answer on its control socket",
        hint: "it may be hung or still starting: journalctl -u waystation -n 50; systemctl restart waystation",
      },
    ],
    run: async () => {
      const socket = controlSocketPath(config);
      const answer = await probeSocket(socket).catch(() => "unknown" as const);
      const pids = controllersOn(opts.file, opts.procRoot);
      if (pids.length > 1) {
        return {
          ok: false,
          detail: `${pids.length} controllers run on ${opts.file}: pids ${pids.join(", ")}`,
          hint: `two controllers fight over the lock: stop the one not started by systemd (sudo kill ${pids.slice(1).join(" ")}), then systemctl restart waystation`,
        };
      }
      // The data directory's instance lock (scripts/instance-lock.ts) names the process holding it;
      // only a lock file a station made: doctor run as root must not leave a root-owned one behind.
      const lock = safeExists(join(config.dataDir, LOCK_FILE))
        ? await tryInstanceLock(config.dataDir)
        : ({ status: "unavailable", detail: "no lock file yet" } as const);
      if (lock.status === "acquired") lock.lock.release();
      const holder =
        lock.status === "held" ? ` (pid ${lock.holder?.pid ?? "?"} holds ${config.dataDir})` : "";
      if (answer === "live") return { ok: true, detail: `the station answers on ${socket}${holder}` };
      if (lock.status === "held") {
        return {
          ok: false,
          detail: `a controller${holder} does not answer on ${socket}`,
          hint: "it may be hung or still starting: journalctl -u waystation -n 50; systemctl restart waystation",
        };
      }
      if (pids.length === 1) {
        return {
          ok: false,
          detail: `a controller runs (pid ${pids[0]}) but does not answer on ${socket}`,
          hint: "it may be hung or still starting: journalctl -u waystation -n 50; systemctl restart waystation",
        };
      }
      return {
        ok: true,
        detail: `no station running${answer === "stale" ? ` (a stale socket ${socket} is left; the next start removes it)` : ""}`,
      };
    },
  };
}

export function diskCheck(config: StationConfig, minFreeBytes = MIN_FREE_BYTES): LocalCheck {
  return {
    id: "disk",
    title: "disk space for the data directory",
    causes: [
      {
        cause: "the data directory does not exist or cannot be read",
        hint: "create it for the service user: sudo install -d -o waystation -g waystation -m 0700 /var/lib/waystation",
      },
      {
        cause: "less than 200 MB or 5 % free",
        hint: "free space: sudo journalctl --vacuum-size=50M, remove old files; the journal needs room for an outage's events",
      },
    ],
    run: async () => {
      let s: ReturnType<typeof statfsSync>;
      try {
        s = statfsSync(config.dataDir);
      } catch (err) {
        return {
          ok: false,
          detail: `cannot read ${config.dataDir}: ${(err as NodeJS.ErrnoException).code}`,
          hint: `create it for the service user: sudo install -d -o waystation -g waystation -m 0750 ${config.dataDir}`,
        };
      }
      const free = s.bavail * s.bsize;
      const ratio = s.blocks > 0 ? s.bavail / s.blocks : 0;
      const detail = `${Math.round(free / 1048576)} MB free (${(ratio * 100).toFixed(1)} %) on ${config.dataDir}`;
      if (free < minFreeBytes || ratio < MIN_FREE_RATIO) {
        return {
          ok: false,
          detail,
          hint: "free space: sudo journalctl --vacuum-size=50M, remove old files; the journal needs room for an outage's events",
        };
      }
      return { ok: true, detail };
    },
  };
}

export function journalCheck(config: StationConfig): LocalCheck {
  const file = resolve(config.dataDir, config.journal.file);
  return {
    id: "journal",
    title: "journal database intact",
    causes: [
      { cause: "the journal cannot be opened", hint: "check its owner (waystation) and mode" },
      {
        cause: "quick_check finds corruption, or the file is not a journal",
        hint: "restart the station (systemctl restart waystation): it moves a corrupt journal aside, raises journal.corrupt and starts a new one; keep the moved file for analysis",
      },
    ],
    run: async () => {
      if (!safeExists(file))
        return { ok: true, detail: `no journal yet at ${file} (created at the first start)` };
      let db: Database.Database;
      try {
        db = new Database(file, { readonly: true, fileMustExist: true });
      } catch (err) {
        return {
          ok: false,
          detail: `cannot open ${file}: ${String(err)}`,
          hint: "check its owner (waystation) and mode",
        };
      }
      try {
        const rows = db.pragma("quick_check") as { quick_check: string }[];
        const problems = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
        if (problems.length > 0) {
          return {
            ok: false,
            detail: `quick_check: ${problems.slice(0, 3).join("; ")}`,
            hint: "the station moves a corrupt journal aside at its next start and raises journal.corrupt; restart it (systemctl restart waystation) and keep the moved file for analysis",
          };
        }
        const pending = (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number } | undefined)
          ?.n;
        return {
          ok: true,
          detail: `${file}: quick_check ok${pending === undefined ? "" : `, ${pending} events not yet delivered`}`,
        };
      } catch (err) {
        return {
          ok: false,
          detail: `${file} is not a readable journal: ${String(err)}`,
          hint: "the station moves an unreadable journal aside at its next start; restart it",
        };
      } finally {
        db.close();
      }
    },
  };
}

function safeExists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

export function clockCheck(opts: LocalCheckOptions): LocalCheck {
  return {
    id: "clock",
    title: "clock synchronised",
    causes: [
      {
        cause: "not synchronised by NTP (running on the RTC, or on no trusted time at all)",
        hint: "timedatectl status; enable NTP: sudo timedatectl set-ntp true (systemd-timesyncd), and let it reach an NTP server",
      },
    ],
    run: async () => {
      const q = readTimeQuality(opts.timePaths ?? DEFAULT_TIME_PATHS, Date.now());
      if (q === "synced") return { ok: true, detail: `synchronised (${new Date().toISOString()})` };
      return {
        ok: false,
        detail:
          q === "rtc"
            ? "not synchronised by NTP; running on the RTC's time"
            : "not synchronised, and no RTC set it at boot: times and schedules may be wrong",
        hint: "timedatectl status; enable NTP: sudo timedatectl set-ntp true (systemd-timesyncd), and let it reach an NTP server",
      };
    },
  };
}
