import { isStationError } from "../../config/errors.ts";
import type { StationConfig } from "../../config/schema.ts";
import { controlSocketPath } from "../../config/sections/control.ts";
import { sendControl } from "../control-client.ts";

/**
 * How a provisioning reaches a station that is already running. Console users are read at every
 * login, so a new user or password works at once. What the running station built at its start —
 * its id (topics, the journal's envelope), a secrets file it started without, a console it left
 * off for want of a technician — takes its planned restart through the command router
 * (`restart`, audited, the lock to its safe state first; the service manager starts it again):
 * asked for with --restart, otherwise reported as needed.
 */
export type ProvisionEffect =
  | { running: false; effect: "at-start"; reasons: string[] }
  | { running: true; effect: "live"; reasons: [] }
  | {
      running: true;
      effect: "restart-needed" | "restarting" | "restart-refused";
      reasons: string[];
      code?: string;
    };

export interface ProvisionChange {
  stationId: string;
  secretsCreated: boolean;
  /** the console was enabled but off at start: nobody able to log in, on real hardware */
  consoleWasOff: boolean;
}

/** Why the running station must restart for a change to take effect (empty: none). */
export function restartReasons(change: ProvisionChange, runningId: string | undefined): string[] {
  return [
    ...(runningId !== undefined && runningId !== change.stationId
      ? [`the station id (running as ${runningId}, now ${change.stationId})`]
      : []),
    ...(change.secretsCreated ? ["a new secrets file"] : []),
    ...(change.consoleWasOff ? ["the console, off until a technician was provisioned"] : []),
  ];
}

export async function provisionEffect(
  config: StationConfig,
  change: ProvisionChange,
  restart: boolean,
): Promise<ProvisionEffect> {
  const socket = controlSocketPath(config);
  let state: { stationId?: string } | undefined;
  try {
    const reply = await sendControl(socket, "status", {});
    state = reply.data as { stationId?: string } | undefined;
  } catch (err) {
    if (isStationError(err, "CONTROL_UNREACHABLE"))
      return { running: false, effect: "at-start", reasons: [] };
    throw err;
  }
  const reasons = restartReasons(change, state?.stationId);
  if (reasons.length === 0) return { running: true, effect: "live", reasons: [] };
  if (!restart) return { running: true, effect: "restart-needed", reasons };
  const reply = await sendControl(socket, "restart", {});
  return reply.status === "ok"
    ? { running: true, effect: "restarting", reasons }
    : { running: true, effect: "restart-refused", reasons, code: reply.code };
}

export function effectText(e: ProvisionEffect): string {
  switch (e.effect) {
    case "at-start":
      return "no station running: all of it takes effect when it starts";
    case "live":
      return "the running station reads console users at each login: in effect now, no restart";
    case "restart-needed":
      return `the running station needs a restart for ${e.reasons.join(", ")}: run again with --restart (a planned restart through the station's commands), or systemctl restart waystation`;
    case "restarting":
      return `planned restart asked of the running station for ${e.reasons.join(", ")}; the service manager starts it again`;
    case "restart-refused":
      return `the running station refused the restart (${e.code ?? "?"}): restart it yourself for ${e.reasons.join(", ")} (systemctl restart waystation)`;
  }
}
