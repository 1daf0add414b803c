import type { IncomingMessage, ServerResponse } from "node:http";
import { isStationError, StationError } from "../config/errors.ts";
import type { SimControl } from "./station.ts";

/** A card the demo offers as a button: what a person would hold. */
export interface DemoCard {
  label: string;
  uid: string;
}

/** `{ "active": true }`, or "on"/"off" from the command line. */
function onOff(a: Record<string, unknown>): boolean {
  const v = a.active;
  if (v === true || v === "on" || v === "true") return true;
  if (v === false || v === "off" || v === "false") return false;
  throw new StationError("SIM_BAD_COMMAND", "sim", "say on or off");
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 4096) throw new StationError("SIM_BAD_COMMAND", "sim", "request body too large");
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // falls through to the typed error below
  }
  throw new StationError("SIM_BAD_COMMAND", "sim", "request body must be a JSON object");
}

/**
 * The simulator's control surface over HTTP under /api/sim/: what the console's buttons and
 * `waystation sim ...` in a second terminal use to act as a person at the station.
 */
export function simControlRoutes(control: SimControl, cards: readonly DemoCard[]): Handler {
  const commands: Record<string, (args: Record<string, unknown>) => unknown> = {
    tap: (a) => {
      if (typeof a.uid !== "string") throw new StationError("SIM_BAD_COMMAND", "sim", "tap needs a uid");
      control.tap(a.uid, typeof a.reader === "string" ? a.reader : undefined);
      return { tapped: true };
    },
    face: (a) => {
      if (typeof a.who !== "string") throw new StationError("SIM_BAD_COMMAND", "sim", "face needs who");
      control.presentFace(a.who);
      return { presented: true };
    },
    "push-door": () => ({ opened: control.pushDoor() }),
    "hold-door": () => ({ held: control.holdDoor() }),
    "release-door": () => {
      control.releaseDoor();
      return { released: true };
    },
    "force-door": () => {
      control.forceDoor();
      return { forced: true };
    },
    "exit-button": () => {
      control.pressExitButton();
      return { pressed: true };
    },
    jam: (a) => {
      const kind = a.kind ?? "leaf";
      if (kind !== "leaf" && kind !== "lock" && kind !== "none") {
        throw new StationError("SIM_BAD_COMMAND", "sim", "jam kind is leaf, lock or none");
      }
      control.jamDoor(kind);
      return { jam: kind };
    },
    "fire-alarm": (a) => {
      control.setFireAlarm(onOff(a));
      return { fireAlarm: onOff(a) };
    },
    tamper: (a) => {
      control.setTamper(onOff(a));
      return { tamper: onOff(a) };
    },
    "on-battery": (a) => {
      control.setOnBattery(onOff(a));
      return { onBattery: onOff(a) };
    },
    "time-quality": (a) => {
      const q = a.quality;
      if (q !== "synced" && q !== "rtc" && q !== "unknown") {
        throw new StationError("SIM_BAD_COMMAND", "sim", "time quality is synced, rtc or unknown");
      }
      control.setTimeQuality(q);
      return { timeQuality: q };
    },
    "set-time": (a) => {
      const t = typeof a.time === "string" ? Date.parse(a.time) : Number.NaN;
      if (Number.isNaN(t))
        throw new StationError("SIM_BAD_COMMAND", "sim", "set-time needs an ISO 8601 time");
      control.setWallTime(t);
      return { wallTime: new Date(t).toISOString() };
    },
  };

  return async (req, res, url) => {
    if (!url.pathname.startsWith("/api/sim/")) return false;
    const name = url.pathname.slice("/api/sim/".length);
    try {
      if (name === "state" && req.method === "GET") {
        send(res, 200, { ...control.snapshot(), cards });
        return true;
      }
      const command = commands[name];
      if (!command || req.method !== "POST") {
        send(res, 404, { error: `unknown simulator command "${name}"`, commands: Object.keys(commands) });
        return true;
      }
      send(res, 200, command(await body(req)));
    } catch (err) {
      if (!isStationError(err)) throw err;
      send(res, 400, { error: err.message, code: err.code, hint: err.details.hint });
    }
    return true;
  };
}

/** Client side, for the CLI in a second terminal. */
export async function sendSimCommand(
  consoleUrl: string,
  command: string,
  args: Record<string, unknown> = {},
): Promise<unknown> {
  const url = new URL(`/api/sim/${command}`, consoleUrl);
  let res: Response;
  try {
    res = await fetch(url, {
      method: command === "state" ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      ...(command === "state" ? {} : { body: JSON.stringify(args) }),
    });
  } catch (cause) {
    throw new StationError("SIM_UNREACHABLE", "sim", `no simulated station answers at ${consoleUrl}`, {
      cause,
      hint: "start the demo first (npm start), or pass --console http://host:port",
    });
  }
  const payload = (await res.json().catch(() => ({}))) as { error?: string; hint?: string };
  if (!res.ok) {
    throw new StationError("SIM_BAD_COMMAND", "sim", payload.error ?? `HTTP ${res.status}`, {
      ...(payload.hint ? { hint: payload.hint } : {}),
    });
  }
  return payload;
}
