import { parseArgs } from "node:util";
import { sendControl, socketFor } from "../control-client.ts";
import { type Command, usageError } from "./usage.ts";

export const POWER_USAGE =
  "power outlet outlet=ID action=start|stop|clear | release-battery slot=N | swap | swap-cancel | safety-reset  [--config FILE | --socket PATH]";

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

/**
 * A technician's outlet, cabinet and safety commands on a running station, through its control
 * socket (root or the service user only): the console needs a login, the socket does not, and it
 * works with the console off.
 */
export const power: Command = async (args) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: "string" }, socket: { type: "string" } },
  });
  const [name, ...rest] = positionals;
  if (!name) throw usageError(POWER_USAGE);
  const reply = await sendControl(socketFor(values), name, powerArgs(rest));
  process.stdout.write(`${JSON.stringify(reply)}\n`);
  return reply.status === "ok" ? 0 : 1;
};
