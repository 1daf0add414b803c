import type { IncomingMessage, ServerResponse } from "node:http";

/** A route handler returns true when it answered the request. */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<boolean> | boolean;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/** Something the composition root adds to the console: routes, and a section on the page. */
export interface ConsoleExtension {
  readonly route?: RouteHandler;
  /** HTML (with its own script) placed on the live page */
  readonly panel?: string;
  /**
   * Reachable without a login (behind the cross-site guard still): only the simulator's own
   * controls, which act on the simulated world, never on the station.
   */
  readonly open?: boolean;
}
