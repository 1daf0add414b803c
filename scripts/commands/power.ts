import { parseArgs } from "node:util";
import { StationError } from "../../config/errors.ts";
import { type Command, usageError } from "./usage.ts";

const DEFAULT_CONSOLE = "http://127.0.0.1:8080";

export const POWER_USAGE =
  "power outlet outlet=ID action=start|stop|clear | release-battery slot=N | swap | swap-cancel | safety-reset  [--console URL]";

/** `key=value` words into command arguments (numbers stay numbers). */
export function powerArgs(words: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const w of words) {
    const i = w.indexOf("=");
    if (i <= 0) throw usageError(`"${w}" is not key=value; ${POWER_USAGE}`);
    const v = w.slice(i + 1);
    out[w.slice(0, i)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

/** A technician's outlet, cabinet and safety commands on a running station, through its console. */
export const power: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { console: { type: "string", default: DEFAULT_CONSOLE } },
  });
  const [name, ...rest] = positionals;
  if (!name) throw usageError(POWER_USAGE);
  const url = new URL("/api/power/command", values.console ?? DEFAULT_CONSOLE);
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, args: powerArgs(rest) }),
  }).catch((cause: unknown) => {
    throw new StationError("CONSOLE_UNREACHABLE", "cli", `no station console answers at ${url.origin}`, {
      cause,
      hint: "is the station running? pass --console http://host:port",
    });
  });
  const body = (await res.json().catch(() => ({ status: "error", code: `HTTP_${res.status}` }))) as {
    status?: string;
    code?: string;
  };
  process.stdout.write(`${JSON.stringify(body)}\n`);
  return body.status === "ok" ? 0 : 1;
};
