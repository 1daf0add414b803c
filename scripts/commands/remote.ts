import { parseArgs } from "node:util";
import { StationError } from "../../config/errors.ts";
import { sendSimCommand } from "../../simulator/control-http.ts";
import { type Command, usageError } from "./usage.ts";

const DEFAULT_CONSOLE = "http://127.0.0.1:8080";

export const SIM_USAGE =
  "sim tap UID [--reader ID] | push-door | hold-door | release-door | force-door | exit-button | jam leaf|lock|none | fire-alarm on|off | tamper on|off | on-battery on|off | time-quality synced|rtc|unknown | set-time ISO | state";

/** The arguments of each simulator command, from its one positional word. */
function simPayload(
  command: string,
  arg: string | undefined,
  reader: string | undefined,
): Record<string, unknown> {
  switch (command) {
    case "tap":
      if (!arg) throw usageError("sim tap needs a card UID, e.g. 04A1B2C3");
      return { uid: arg, ...(reader ? { reader } : {}) };
    case "jam":
      return { kind: arg ?? "leaf" };
    case "time-quality":
      return { quality: arg };
    case "set-time":
      return { time: arg };
    case "fire-alarm":
    case "tamper":
    case "on-battery":
      return { active: arg };
    default:
      return {};
  }
}

/** Act at a running simulated station from a second terminal. */
export const sim: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { console: { type: "string", default: DEFAULT_CONSOLE }, reader: { type: "string" } },
  });
  const [command, arg] = positionals;
  if (!command) throw usageError(SIM_USAGE);
  const answer = await sendSimCommand(
    values.console ?? DEFAULT_CONSOLE,
    command,
    simPayload(command, arg, values.reader),
  );
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  return 0;
};

/** Technician actions on a running station's console. */
export const door: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { console: { type: "string", default: DEFAULT_CONSOLE } },
  });
  if (positionals[0] !== "fire-reset") throw usageError("door fire-reset [--console URL]");
  const url = new URL("/api/door/fire-reset", values.console ?? DEFAULT_CONSOLE);
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-waystation-client": "cli" },
    body: "{}",
  }).catch((cause: unknown) => {
    throw new StationError("CONSOLE_UNREACHABLE", "cli", `no station console answers at ${url.origin}`, {
      cause,
      hint: "is the station running? pass --console http://host:port",
    });
  });
  const body = (await res.json()) as { ok: boolean; detail: string };
  process.stdout.write(`${body.detail}\n`);
  return body.ok ? 0 : 1;
};
