import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { StationError } from "../../config/errors.ts";
import type { StationConfig } from "../../config/schema.ts";
import type { StationEvent } from "../contract/events.ts";
import type { StationState } from "../contract/state.ts";
import type { EventBus } from "../events/event-bus.ts";
import { readJournalHistory } from "../events/journal-history.ts";
import type { ConfigEditor } from "./config-editor.ts";
import type { ConsoleRunner } from "./console-server.ts";
import { ConsoleServer } from "./console-server.ts";
import { consoleUsersFile, loadConsoleUsers } from "./console-users.ts";
import type { ConsoleExtension } from "./http-route.ts";

export interface ConsoleWiring {
  config: StationConfig;
  bus: EventBus;
  runner: ConsoleRunner;
  state(): StationState;
  onStateChange(listener: (state: StationState) => void): () => void;
  monotonic(): number;
  logger: Logger;
  extensions?: readonly ConsoleExtension[] | undefined;
  /** the station file, when the console may edit it */
  configEditor?: ConfigEditor | undefined;
  /**
   * Start even when nobody was provisioned (the composition root says so for a station whose
   * only door is a simulated one). Otherwise a console without a technician stays off.
   */
  withoutUsers?: boolean | undefined;
}

/** The console the station file asks for, or undefined (off, or not provisioned). */
export function createConsole(w: ConsoleWiring): ConsoleServer | undefined {
  const { config, logger } = w;
  if (!config.console.enabled) return undefined;
  const usersFile = consoleUsersFile(config.dataDir);
  const journalFile = resolve(config.dataDir, config.journal.file);
  const log = logger.child({ module: "console" });
  if (!w.withoutUsers) {
    let provisioned = false;
    try {
      provisioned = loadConsoleUsers(usersFile)?.users.some((u) => u.role === "technician") ?? false;
    } catch (err) {
      log.error({ err: String(err) }, "console users file unusable");
    }
    if (!provisioned) {
      log.warn(
        { usersFile, hint: "waystation provision --config FILE" },
        "technician console off: no technician provisioned",
      );
      return undefined;
    }
  }
  const tls = config.console.tls
    ? {
        key: readPem(resolve(config.dataDir, config.console.tls.keyFile)),
        cert: readPem(resolve(config.dataDir, config.console.tls.certFile)),
      }
    : undefined;
  return new ConsoleServer(
    {
      host: config.console.host,
      port: config.console.port,
      allowedHosts: config.console.allowedHosts,
      maxStreamClients: config.console.maxStreamClients,
      now: w.monotonic,
      title: config.station.name ?? config.station.id,
      language: config.console.language,
      ...(tls ? { tls } : {}),
    },
    {
      state: w.state,
      subscribe: (l: (e: StationEvent) => void) => w.bus.subscribe(l),
      onStateChange: w.onStateChange,
      refused: (r) => w.bus.emit("console.request-refused", r),
      runner: w.runner,
      emit: (type, payload) => w.bus.emit(type, payload),
      users: () => loadConsoleUsers(usersFile),
      history: (f) => readJournalHistory(journalFile, f),
      ...(w.configEditor ? { config: w.configEditor } : {}),
    },
    log,
    w.extensions,
  );
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new StationError("CONFIG_UNREADABLE", "console", `cannot read ${file} (console.tls)`, {
      cause,
      hint: "console.tls names a PEM certificate and key the service user can read",
    });
  }
}
