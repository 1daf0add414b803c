import { request } from "node:http";
import pino from "pino";
import type { EventPayload, EventType } from "../contract/events.ts";
import type { StationState } from "../contract/state.ts";
import type { CommandReply } from "../control/local-commands.ts";
import { type ConsoleOptions, type ConsoleRunner, ConsoleServer } from "./console-server.ts";
import { type ConsoleUsers, withUser } from "./console-users.ts";
import type { ConsoleExtension } from "./http-route.ts";

/** For the console's own tests: a console over a recording runner, with real argon2 users. */
export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** node:http, not fetch: fetch will not let a test forge Host the way a rebound browser does. */
export function send(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: opts.method ?? "GET", path: opts.path, headers: opts.headers },
      (res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

export const PASSWORDS = { tech: "correct-horse-battery", viewer: "viewer-password-1" } as const;

let usersOnce: Promise<ConsoleUsers> | undefined;
export function testUsers(): Promise<ConsoleUsers> {
  usersOnce ??= (async () => {
    const now = new Date(0);
    const a = await withUser(undefined, "tech", "technician", PASSWORDS.tech, now);
    return withUser(a, "viewer", "viewer", PASSWORDS.viewer, now);
  })();
  return usersOnce;
}

export interface Kit {
  server: ConsoleServer;
  host: string;
  calls: { name: string; args: unknown; user?: string | undefined; id?: string | undefined }[];
  events: { type: EventType; payload: unknown }[];
  refusals: EventPayload<"console.request-refused">[];
  clock: { now: number };
  /** logs in; returns the cookie header and CSRF token */
  login(user: string, password: string): Promise<{ cookie: string; csrf: string; answer: Answer }>;
  post(path: string, body: unknown, auth?: { cookie: string; csrf?: string }): Promise<Answer>;
  get(path: string, auth?: { cookie: string }): Promise<Answer>;
  stop(): Promise<void>;
}

export async function startKit(
  extensions: readonly ConsoleExtension[] = [],
  opts: Partial<ConsoleOptions> = {},
): Promise<Kit> {
  const calls: Kit["calls"] = [];
  const events: Kit["events"] = [];
  const refusals: Kit["refusals"] = [];
  const clock = { now: 0 };
  const users = await testUsers();
  const runner: ConsoleRunner = {
    async runAs(principal, name, args, id, progress): Promise<CommandReply> {
      calls.push({ name, args, user: principal.user, id });
      progress?.("step 1");
      return { id: id ?? "x", status: "ok", code: "OK", data: { ran: name } };
    },
    rejectRequest: (id, _via, detail) => ({
      id: id ?? "x",
      status: "error",
      code: "BAD_REQUEST",
      data: { detail },
    }),
    list: () => [{ name: "fire-reset", summary: "reset" }],
  };
  const server = new ConsoleServer(
    {
      host: "127.0.0.1",
      port: 0,
      title: "t",
      maxStreamClients: 2,
      now: () => clock.now,
      language: "en",
      ...opts,
    },
    {
      state: () =>
        ({ stationId: "s1", secret: "person-and-hash", events: { lastSeq: 0 } }) as unknown as StationState,
      subscribe: () => () => {},
      onStateChange: () => () => {},
      refused: (r) => refusals.push(r),
      runner,
      emit: (type, payload) => events.push({ type, payload }),
      users: () => users,
    },
    pino({ level: "silent" }),
    extensions,
  );
  await server.start();
  const host = `127.0.0.1:${server.port}`;
  const json = { host, origin: `http://${host}`, "content-type": "application/json" };
  const post: Kit["post"] = (path, body, auth) =>
    send(server.port, {
      method: "POST",
      path,
      headers: {
        ...json,
        ...(auth ? { cookie: auth.cookie } : {}),
        ...(auth?.csrf ? { "x-csrf-token": auth.csrf } : {}),
      },
      body: JSON.stringify(body),
    });
  return {
    server,
    host,
    calls,
    events,
    refusals,
    clock,
    post,
    get: (path, auth) =>
      send(server.port, { path, headers: { host, ...(auth ? { cookie: auth.cookie } : {}) } }),
    async login(user, password) {
      const answer = await post("/api/login", { user, password });
      const set = answer.headers["set-cookie"];
      const cookie = (Array.isArray(set) ? set[0] : set)?.split(";")[0] ?? "";
      const csrf = answer.status === 200 ? (JSON.parse(answer.body) as { csrf: string }).csrf : "";
      return { cookie, csrf, answer };
    },
    stop: () => server.stop(),
  };
}
