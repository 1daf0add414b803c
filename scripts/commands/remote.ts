import type { ControlReply } from "../../controller/control/control-protocol.ts";
import { selftestProgress } from "../cli/output.ts";
import { sendControl, socketFor } from "../control-client.ts";
import { usageError } from "./usage.ts";

export const SIM_USAGE =
  "sim tap UID [--reader ID] | push-door | hold-door | release-door | force-door | exit-button | jam leaf|lock|none | contact ok|stuck-closed|cut | fire-alarm on|off | tamper on|off | on-battery on|off | time-quality synced|rtc|unknown | set-time ISO | face WHO | smoke on|off | cabinet-smoke on|off | thermal-runaway SLOT | hang-board on|off | state   [--config FILE] [--socket PATH] [--json]";

/** Options every command that talks to the running station takes (scripts/cli/register-station.ts). */
export interface StationOptions {
  config?: string;
  socket?: string;
  json?: boolean;
}

/** The arguments of each simulator command, from its one positional word. */
function simArgs(
  command: string,
  arg: string | undefined,
  reader: string | undefined,
): Record<string, unknown> {
  const need = (what: string) => {
    if (arg === undefined) throw usageError(`sim ${command} needs ${what}`);
    return arg;
  };
  switch (command) {
    case "tap":
      return { uid: need("a card UID, e.g. 04A1B2C3"), ...(reader ? { reader } : {}) };
    case "jam":
      return { kind: arg ?? "leaf" };
    case "contact":
      return { fault: need("ok, stuck-closed or cut") };
    case "face":
      if (!arg)
        throw usageError(
          "sim face needs who: man.turning, stranger, photo-attack, screen-attack.moved, ... or an image file",
        );
      return { who: arg };
    case "time-quality":
      return { quality: need("synced, rtc or unknown") };
    case "set-time":
      return { time: need("an ISO 8601 time, e.g. 2026-03-01T03:00:00+08:00") };
    case "fire-alarm":
    case "tamper":
    case "on-battery":
    case "smoke":
    case "cabinet-smoke":
    case "hang-board":
      return { active: need("on or off") };
    case "thermal-runaway":
      return { slot: need("a cabinet slot number, e.g. 3") };
    default:
      return {};
  }
}

function detailOf(reply: ControlReply): { detail?: string; hint?: string } {
  const d = reply.data as { detail?: unknown; hint?: unknown } | undefined;
  return {
    ...(typeof d?.detail === "string" ? { detail: d.detail } : {}),
    ...(typeof d?.hint === "string" ? { hint: d.hint } : {}),
  };
}

/** Print a reply: the data as JSON (or the whole reply with --json), an error's reason on stderr. */
export function printReply(reply: ControlReply, json: boolean, human?: (data: unknown) => string): number {
  if (json) process.stdout.write(`${JSON.stringify(reply)}\n`);
  else if (reply.status === "ok")
    process.stdout.write(`${human ? human(reply.data) : JSON.stringify(reply.data)}\n`);
  if (reply.status === "error" && !json) {
    const { detail, hint } = detailOf(reply);
    process.stderr.write(
      `error: ${reply.code}${detail ? `: ${detail}` : ""}\n${hint ? `  hint: ${hint}\n` : ""}`,
    );
  }
  return reply.status === "ok" ? 0 : 1;
}

/** Act at a running simulated station, through its control socket. */
export async function sim(
  command: string,
  arg: string | undefined,
  values: StationOptions & { reader?: string },
): Promise<number> {
  const reply = await sendControl(socketFor(values), `sim.${command}`, simArgs(command, arg, values.reader));
  if (reply.code === "UNKNOWN_COMMAND" && !values.json) {
    process.stderr.write(
      `error: this station has no "sim ${command}" (is it simulated, and is the word right?)\n  usage: ${SIM_USAGE}\n`,
    );
    return 1;
  }
  return printReply(reply, values.json === true);
}

/** Technician actions on the door of the running station. */
export async function door(action: string, values: StationOptions): Promise<number> {
  if (action !== "fire-reset") throw usageError("door fire-reset [--config FILE] [--socket PATH] [--json]");
  const reply = await sendControl(socketFor(values), "fire-reset", {});
  if (values.json) return printReply(reply, true);
  const { detail } = detailOf(reply);
  (reply.status === "ok" ? process.stdout : process.stderr).write(`${detail ?? reply.code}\n`);
  return reply.status === "ok" ? 0 : 1;
}

/** Commissioning: run every subsystem's selftest inside the running station. */
export async function selftest(values: StationOptions & { attended?: boolean }): Promise<number> {
  const shown = selftestProgress(values.json ? process.stderr : process.stdout);
  const reply = await sendControl(
    socketFor(values),
    "selftest",
    { attended: values.attended === true },
    (line) => shown.line(line),
  ).finally(() => shown.end());
  const data = reply.data as { report?: unknown; text?: string; file?: string } | undefined;
  if (values.json) {
    process.stdout.write(`${JSON.stringify(data?.report ?? reply)}\n`);
  } else if (data?.text) {
    process.stdout.write(
      `\n${data.text}${data.file ? `report kept in the data directory: ${data.file}\n` : ""}`,
    );
  } else {
    return printReply(reply, false);
  }
  return reply.status === "ok" ? 0 : 1;
}
