import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Kit, PASSWORDS, send, startKit } from "./console-test-kit.ts";
import { sendJson } from "./http-route.ts";

/** Opens an event stream and resolves with its status once the headers are in; keeps it open. */
function openStream(port: number, cookie: string): Promise<{ status: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/api/stream", headers: { cookie } }, (res) => {
      resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
    });
    req.on("error", reject);
    req.end();
  });
}

let kit: Kit;
let simTaps = 0;
let closedHits = 0;

beforeEach(async () => {
  simTaps = 0;
  closedHits = 0;
  kit = await startKit([
    {
      open: true,
      route: (req, res, url) => {
        if (url.pathname !== "/api/sim/tap") return false;
        simTaps++;
        sendJson(res, 200, { tapped: true, method: req.method });
        return true;
      },
    },
    {
      route: (_req, res, url) => {
        if (url.pathname !== "/api/ext/thing") return false;
        closedHits++;
        sendJson(res, 200, { ok: true });
        return true;
      },
    },
  ]);
});

afterEach(async () => {
  await kit.stop();
});

describe("console: cross-site and DNS-rebinding requests", () => {
  it.each([
    { path: "/api/command", what: "run a command" },
    { path: "/api/sim/tap", what: "tap a card at the simulator" },
  ])("a cross-origin text/plain POST cannot $what", async ({ path }) => {
    const r = await send(kit.server.port, {
      method: "POST",
      path,
      headers: { host: kit.host, origin: "http://evil.example", "content-type": "text/plain" },
      body: "{}",
    });
    expect(r.status).toBe(403);
    expect(kit.calls).toHaveLength(0);
    expect(simTaps).toBe(0);
  });

  it("a form POST without Origin is refused for its content type", async () => {
    const r = await send(kit.server.port, {
      method: "POST",
      path: "/api/login",
      headers: { host: kit.host, "content-type": "application/x-www-form-urlencoded" },
      body: "user=tech",
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).reason).toBe("not-json");
  });

  it("a DNS-rebound page (foreign Host) reads nothing, not even the login page", async () => {
    const { cookie } = await kit.login("tech", PASSWORDS.tech);
    for (const path of ["/", "/login", "/api/state", "/api/events", "/api/stream"]) {
      const r = await send(kit.server.port, {
        path,
        headers: { host: `rebind.evil.example:${kit.server.port}`, cookie },
      });
      expect(r.status, path).toBe(403);
      expect(r.body).not.toContain("person-and-hash");
    }
    const ok = await kit.get("/api/state", { cookie });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("person-and-hash");
  });

  it("the simulator's own JSON POST works without a login, behind the same guard", async () => {
    const ok = await send(kit.server.port, {
      method: "POST",
      path: "/api/sim/tap",
      headers: { host: kit.host, "content-type": "application/json" },
      body: '{"uid":"04A1B2C3"}',
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ tapped: true, method: "POST" });
    expect(simTaps).toBe(1);
  });

  it("refusals reach the journal at most once a minute, counted", async () => {
    const evil = { host: "evil.example" };
    for (let i = 0; i < 5; i++) await send(kit.server.port, { path: "/api/state", headers: evil });
    expect(kit.refusals).toEqual([
      { reason: "foreign-host", method: "GET", path: "/api/state", refusedSinceLast: 1 },
    ]);
    kit.clock.now = 60_000;
    await send(kit.server.port, { path: "/api/events", headers: evil });
    expect(kit.refusals[1]).toEqual({
      reason: "foreign-host",
      method: "GET",
      path: "/api/events",
      refusedSinceLast: 5,
    });
    expect(kit.server.refusals["foreign-host"]).toBe(6);
  });

  it("caps live event streams; a closed one frees its place", async () => {
    const { cookie } = await kit.login("viewer", PASSWORDS.viewer);
    const a = await openStream(kit.server.port, cookie);
    const b = await openStream(kit.server.port, cookie);
    expect([a.status, b.status]).toEqual([200, 200]);
    const r = await kit.get("/api/stream", { cookie });
    expect(r.status).toBe(503);
    a.close();
    let again = 0;
    for (let i = 0; i < 100 && again !== 200; i++) {
      const s = await openStream(kit.server.port, cookie);
      again = s.status;
      if (again !== 200) await new Promise((res) => setTimeout(res, 20));
      else s.close();
    }
    expect(again).toBe(200);
    b.close();
  });
});

describe("console: login, sessions, roles", () => {
  it("nothing of the station without a login: pages redirect, the API answers 401", async () => {
    const page = await kit.get("/");
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe("/login");
    for (const path of ["/api/state", "/api/events", "/api/stream", "/api/ext/thing"]) {
      expect((await kit.get(path)).status, path).toBe(401);
    }
    expect((await kit.post("/api/command", { name: "fire-reset" })).status).toBe(401);
    expect(closedHits).toBe(0);
    expect((await kit.get("/login")).status).toBe(200);
  });

  it("a login sets an HttpOnly SameSite=Strict cookie (not Secure without TLS) and is journalled", async () => {
    const { answer, cookie } = await kit.login("tech", PASSWORDS.tech);
    expect(answer.status).toBe(200);
    const set = String(answer.headers["set-cookie"]);
    expect(set).toMatch(/^ws_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(kit.events).toContainEqual({
      type: "console.login",
      payload: { user: "tech", role: "technician" },
    });
    expect((await kit.get("/", { cookie })).status).toBe(200);
  });

  it("every change needs the session's CSRF token", async () => {
    const { cookie, csrf } = await kit.login("tech", PASSWORDS.tech);
    expect((await kit.post("/api/command", { name: "fire-reset" }, { cookie })).status).toBe(403);
    expect(
      (await kit.post("/api/command", { name: "fire-reset" }, { cookie, csrf: `${csrf}x` })).status,
    ).toBe(403);
    expect((await kit.post("/api/ext/thing", {}, { cookie })).status).toBe(403);
    expect(kit.calls).toHaveLength(0);
    expect(closedHits).toBe(0);
    const ok = await kit.post("/api/command", { name: "fire-reset", args: {} }, { cookie, csrf });
    expect(ok.status).toBe(200);
    // on behalf of the user logged in: the router audits it as local:console:tech
    expect(kit.calls).toEqual([{ name: "fire-reset", args: {}, user: "tech", id: expect.any(String) }]);
    expect((await kit.post("/api/ext/thing", {}, { cookie, csrf })).status).toBe(200);
  });

  it("a viewer reads but cannot change anything, enforced by the server", async () => {
    const { cookie, csrf } = await kit.login("viewer", PASSWORDS.viewer);
    expect((await kit.get("/api/state", { cookie })).status).toBe(200);
    const r = await kit.post("/api/command", { name: "fire-reset" }, { cookie, csrf });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toBe("viewer");
    expect((await kit.post("/api/ext/thing", {}, { cookie, csrf })).status).toBe(403);
    expect(kit.calls).toHaveLength(0);
    expect(closedHits).toBe(0);
  });

  it("wrong passwords lock the name out, journalled once; the right one is refused meanwhile", async () => {
    for (let i = 0; i < 4; i++) expect((await kit.login("tech", "wrong-password")).answer.status).toBe(401);
    const fifth = await kit.login("tech", "wrong-password");
    expect(JSON.parse(fifth.answer.body).error).toBe("locked");
    const lockouts = kit.events.filter((e) => e.type === "console.lockout");
    expect(lockouts).toEqual([
      {
        type: "console.lockout",
        payload: { user: "tech", failures: 5, lockedForS: 300, address: "127.0.0.1" },
      },
    ]);
    const right = await kit.login("tech", PASSWORDS.tech);
    expect(right.answer.status).toBe(429);
    expect(JSON.parse(right.answer.body).error).toBe("locked");
    expect(right.cookie).toBe("");
    kit.clock.now = 5 * 60_000 + 1;
    expect((await kit.login("tech", PASSWORDS.tech)).answer.status).toBe(200);
  });

  it("an unknown name is told apart from a wrong password by nothing", async () => {
    const a = await kit.login("nobody", "whatever-1234");
    const b = await kit.login("tech", "whatever-1234");
    expect([a.answer.status, a.answer.body]).toEqual([b.answer.status, b.answer.body]);
  });

  it("logout ends the session: its cookie no longer reads anything", async () => {
    const { cookie, csrf } = await kit.login("viewer", PASSWORDS.viewer);
    expect((await kit.post("/api/logout", {}, { cookie, csrf })).status).toBe(200);
    expect((await kit.get("/api/state", { cookie })).status).toBe(401);
  });

  it("a session unused for 30 minutes ends", async () => {
    const { cookie } = await kit.login("viewer", PASSWORDS.viewer);
    kit.clock.now = 29 * 60_000;
    expect((await kit.get("/api/state", { cookie })).status).toBe(200);
    kit.clock.now = 59 * 60_000 + 1;
    expect((await kit.get("/api/state", { cookie })).status).toBe(401);
  });

  it("pages make no request off the station (CSP) and come in the session's language", async () => {
    const { cookie } = await kit.login("tech", PASSWORDS.tech);
    const en = await kit.get("/events", { cookie });
    expect(en.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(en.body).toContain("Event log");
    const zh = await kit.get("/events", { cookie: `${cookie}; ws_lang=zh-CN` });
    expect(zh.body).toContain("事件日志");
    expect(zh.body).toContain('<html lang="zh-CN">');
    expect(en.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe("console over TLS", () => {
  it("marks the session cookie Secure and serves https", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-tls-"));
    const r = spawnSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1"].concat([
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ]),
      { stdio: "ignore" },
    );
    expect(r.status).toBe(0);
    const tls = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
    const secure = await startKit([], { tls });
    try {
      expect(secure.server.url).toMatch(/^https:/);
      const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: "127.0.0.1",
            port: secure.server.port,
            method: "POST",
            path: "/api/login",
            rejectUnauthorized: false,
            headers: { host: secure.host, "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, cookie: String(res.headers["set-cookie"]) }),
            );
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ user: "tech", password: PASSWORDS.tech }));
      });
      expect(answer.status).toBe(200);
      expect(answer.cookie).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await secure.stop();
    }
  });
});
