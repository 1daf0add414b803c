import { hostname, networkInterfaces } from "node:os";
import { isWildcardAddress } from "../../config/addresses.ts";

/**
 * The cross-site guard in front of every console route (the simulator's included).
 *
 * A browser on the technician's laptop is the attacker's way in: a page anywhere can POST a
 * "simple" request (text/plain, form) to http://127.0.0.1:8080 without a CORS preflight, and a
 * page served under a DNS-rebound name reaches the console as same-origin. So: the Host header
 * must name the console itself, an Origin (when the browser sends one) must be the console's
 * own, and a state-changing request must carry a JSON content type, which a cross-origin page
 * can only send after a preflight the console never answers. Pure, so it moves with the console
 * when the console moves to fastify.
 */
export interface RequestFacts {
  readonly method?: string | undefined;
  readonly headers: {
    readonly host?: string | undefined;
    readonly origin?: string | undefined;
    readonly "content-type"?: string | undefined;
    readonly "sec-fetch-site"?: string | undefined;
  };
}

export interface GuardPolicy {
  /** lower-case `host:port` forms the console answers to (IPv6 in brackets) */
  readonly hosts: ReadonlySet<string>;
}

export type GuardVerdict =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: "foreign-host" | "foreign-origin" | "cross-site" | "not-json" | "method";
    };

const SAFE_METHODS = new Set(["GET", "HEAD"]);
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function guardRequest(req: RequestFacts, policy: GuardPolicy): GuardVerdict {
  const host = req.headers.host?.trim().toLowerCase();
  if (!host || !policy.hosts.has(host)) return { ok: false, reason: "foreign-host" };
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, policy)) return { ok: false, reason: "foreign-origin" };
  const site = req.headers["sec-fetch-site"]?.toLowerCase();
  if (site !== undefined && site !== "same-origin" && site !== "none")
    return { ok: false, reason: "cross-site" };
  const method = (req.method ?? "GET").toUpperCase();
  if (SAFE_METHODS.has(method)) return { ok: true };
  // OPTIONS (a preflight) and anything exotic: the console has no cross-origin clients.
  if (!STATE_CHANGING.has(method)) return { ok: false, reason: "method" };
  if (mediaType(req.headers["content-type"]) !== "application/json") return { ok: false, reason: "not-json" };
  return { ok: true };
}

function sameOrigin(origin: string, policy: GuardPolicy): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return false;
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return policy.hosts.has(`${u.hostname.toLowerCase()}:${port}`);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];
/**
 * The names the console answers to when listening on `listenHost:port`: loopback answers to
 * every loopback name; a wildcard to every address of this machine and its host name; plus the
 * names the station file lists (`console.allowedHosts`, for a name in the site's DNS).
 */
export function consoleHosts(
  listenHost: string,
  port: number,
  extra: readonly string[] = [],
  interfaces: () => readonly string[] = localAddresses,
): GuardPolicy {
  const names = new Set<string>();
  const h = listenHost
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (LOOPBACK.includes(h)) for (const n of LOOPBACK) names.add(n);
  else if (isWildcardAddress(h)) for (const n of [...LOOPBACK, ...interfaces()]) names.add(n);
  else names.add(h);
  const hosts = new Set<string>();
  const add = (name: string, p: number) => {
    const bare = name.toLowerCase().replace(/^\[|\]$/g, "");
    const shown = bare.includes(":") ? `[${bare}]` : bare;
    hosts.add(`${shown}:${p}`);
    // A browser leaves the default port out of Host.
    if (p === 80) hosts.add(shown);
  };
  for (const n of names) add(n, port);
  for (const e of extra) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(e.trim());
    if (m?.[1]) add(m[1], m[2] ? Number(m[2]) : port);
  }
  return { hosts };
}

function localAddresses(): string[] {
  const out = [hostname()];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}
