import { sendControl, socketFor } from "../control-client.ts";
import { printReply, type StationOptions } from "./remote.ts";
import { usageError } from "./usage.ts";

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
 * works with the console off. The reply as text, or whole with --json.
 */
export async function power(name: string, pairs: readonly string[], opts: StationOptions): Promise<number> {
  const reply = await sendControl(socketFor(opts), name, powerArgs(pairs));
  return printReply(reply, opts.json === true, (data) =>
    data === undefined ? `${reply.code}` : `${reply.code} ${JSON.stringify(data)}`,
  );
}
