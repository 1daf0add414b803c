import { request } from "node:http";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventPayload } from "../contract/events.ts";
import type { StationState } from "../contract/state.ts";
import { ConsoleServer } from "./console-server.ts";
import { sendJson } from "./http-route.ts";

interface Answer {
  status: number;
  body: string;
}

/** node:http, not fetch: fetch will not let a test forge Host the way a rebound browser does. */
function send(
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
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** Opens an event stream and resolves with its status once the headers are in; keeps it open. */
function openStream(port: number): Promise<{ status: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/stream" }, (res) => {
      resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("console: cross-site and DNS-rebinding requests", () => {
  let server: ConsoleServer;
  let fireResets = 0;
  let simTaps = 0;
  let refusals: EventPayload<"console.request-refused">[] = [];
  let clock = 0;
  let host = "";

  beforeEach(async () => {
    fireResets = 0;
    simTaps = 0;
    refusals = [];
    clock = 0;
    server = new ConsoleServer(
      { host: "127.0.0.1", port: 0, title: "t", maxStreamClients: 2, now: () => clock },
      {
        state: () => ({ stationId: "s1", secret: "person-and-hash" }) as unknown as StationState,
        fireReset: async () => {
          fireResets++;
          return { ok: true, detail: "reset" };
        },
        subscribe: () => () => {},
        onStateChange: () => () => {},
        refused: (r) => refusals.push(r),
      },
      pino({ level: "silent" }),
      [
        {
          route: (req, res, url) => {
            if (url.pathname !== "/api/sim/tap") return false;
            simTaps++;
            sendJson(res, 200, { tapped: true, method: req.method });
            return true;
          },
        },
      ],
    );
    await server.start();
    host = `127.0.0.1:${server.port}`;
  });

  afterEach(async () => {
    await server.stop();
  });

  const post = (path: string, headers: Record<string, string>, body: string) =>
    send(server.port, { method: "POST", path, headers, body });

  it.each([
    { path: "/api/door/fire-reset", what: "reset a fire-latched door", count: () => fireResets },
    { path: "/api/sim/tap", what: "tap a card at the simulator", count: () => simTaps },
  ])("a cross-origin text/plain POST cannot $what", async ({ path, count }) => {
    const r = await post(path, { host, origin: "http://evil.example", "content-type": "text/plain" }, "{}");
    expect(r.status).toBe(403);
    expect(count()).toBe(0);
  });

  it("a form POST without Origin is refused for its content type", async () => {
    const r = await post(
      "/api/door/fire-reset",
      { host, "content-type": "application/x-www-form-urlencoded" },
      "a=1",
    );
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).reason).toBe("not-json");
    expect(fireResets).toBe(0);
  });

  it("the console's own JSON POST works", async () => {
    const r = await post(
      "/api/door/fire-reset",
      { host, origin: `http://${host}`, "content-type": "application/json" },
      "{}",
    );
    expect(r.status).toBe(200);
    expect(fireResets).toBe(1);
  });

  it("a DNS-rebound page (foreign Host) reads nothing, not even the page", async () => {
    for (const path of ["/", "/api/state", "/api/events", "/api/stream"]) {
      const r = await send(server.port, { path, headers: { host: `rebind.evil.example:${server.port}` } });
      expect(r.status, path).toBe(403);
      expect(r.body).not.toContain("person-and-hash");
    }
    const ok = await send(server.port, { path: "/api/state", headers: { host } });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("person-and-hash");
  });

  it("the simulator's own JSON POST works behind the same guard", async () => {
    const ok = await post("/api/sim/tap", { host, "content-type": "application/json" }, '{"uid":"04A1B2C3"}');
    expect(ok.status).toBe(200);
    expect(simTaps).toBe(1);
  });

  it("refusals reach the journal at most once a minute, counted", async () => {
    const evil = { host: "evil.example" };
    for (let i = 0; i < 5; i++) await send(server.port, { path: "/api/state", headers: evil });
    expect(refusals).toEqual([
      { reason: "foreign-host", method: "GET", path: "/api/state", refusedSinceLast: 1 },
    ]);
    clock = 60_000;
    await send(server.port, { path: "/api/events", headers: evil });
    expect(refusals[1]).toEqual({
      reason: "foreign-host",
      method: "GET",
      path: "/api/events",
      refusedSinceLast: 5,
    });
    expect(server.refusals["foreign-host"]).toBe(6);
  });

  it("caps live event streams; a closed one frees its place", async () => {
    const a = await openStream(server.port);
    const b = await openStream(server.port);
    expect([a.status, b.status]).toEqual([200, 200]);
    const r = await send(server.port, { path: "/api/stream", headers: { host } });
    expect(r.status).toBe(503);
    a.close();
    let again = 0;
    for (let i = 0; i < 100 && again !== 200; i++) {
      const s = await openStream(server.port);
      again = s.status;
      if (again !== 200) await new Promise((res) => setTimeout(res, 20));
    }
    expect(again).toBe(200);
    b.close();
  });
});
