import { describe, expect, it } from "vitest";
import { consoleHosts, type GuardVerdict, guardRequest, type RequestFacts } from "./request-guard.ts";

const policy = consoleHosts("127.0.0.1", 8080);
const json = "application/json";

const cases: { name: string; req: RequestFacts; expected: GuardVerdict }[] = [
  {
    name: "a GET from the console's own page",
    req: { method: "GET", headers: { host: "127.0.0.1:8080" } },
    expected: { ok: true },
  },
  {
    name: "localhost is the same console",
    req: { method: "GET", headers: { host: "localhost:8080" } },
    expected: { ok: true },
  },
  { name: "IPv6 loopback", req: { method: "GET", headers: { host: "[::1]:8080" } }, expected: { ok: true } },
  {
    name: "a DNS-rebound name reading state",
    req: { method: "GET", headers: { host: "evil.example:8080" } },
    expected: { ok: false, reason: "foreign-host" },
  },
  {
    name: "no Host at all",
    req: { method: "GET", headers: {} },
    expected: { ok: false, reason: "foreign-host" },
  },
  {
    name: "the right name on another port",
    req: { method: "GET", headers: { host: "127.0.0.1:9090" } },
    expected: { ok: false, reason: "foreign-host" },
  },
  {
    name: "a JSON POST from the console's page",
    req: {
      method: "POST",
      headers: { host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080", "content-type": json },
    },
    expected: { ok: true },
  },
  {
    name: "a JSON POST with charset, from the CLI (no Origin)",
    req: {
      method: "POST",
      headers: { host: "127.0.0.1:8080", "content-type": "Application/JSON; charset=utf-8" },
    },
    expected: { ok: true },
  },
  {
    name: "a cross-origin simple POST (text/plain) resetting the fire latch",
    req: {
      method: "POST",
      headers: { host: "127.0.0.1:8080", origin: "http://evil.example", "content-type": "text/plain" },
    },
    expected: { ok: false, reason: "foreign-origin" },
  },
  {
    name: "a cross-origin POST even with a JSON type",
    req: {
      method: "POST",
      headers: { host: "127.0.0.1:8080", origin: "http://evil.example", "content-type": json },
    },
    expected: { ok: false, reason: "foreign-origin" },
  },
  {
    name: "a same-host page on another port",
    req: {
      method: "POST",
      headers: { host: "127.0.0.1:8080", origin: "http://127.0.0.1:3000", "content-type": json },
    },
    expected: { ok: false, reason: "foreign-origin" },
  },
  {
    name: "Origin: null (sandboxed frame)",
    req: { method: "POST", headers: { host: "127.0.0.1:8080", origin: "null", "content-type": json } },
    expected: { ok: false, reason: "foreign-origin" },
  },
  {
    name: "a form POST with no Origin (old browser)",
    req: {
      method: "POST",
      headers: { host: "127.0.0.1:8080", "content-type": "application/x-www-form-urlencoded" },
    },
    expected: { ok: false, reason: "not-json" },
  },
  {
    name: "a POST with no content type",
    req: { method: "POST", headers: { host: "127.0.0.1:8080" } },
    expected: { ok: false, reason: "not-json" },
  },
  {
    name: "a look-alike type",
    req: { method: "POST", headers: { host: "127.0.0.1:8080", "content-type": "application/json-seq" } },
    expected: { ok: false, reason: "not-json" },
  },
  {
    name: "a browser saying cross-site",
    req: { method: "GET", headers: { host: "127.0.0.1:8080", "sec-fetch-site": "cross-site" } },
    expected: { ok: false, reason: "cross-site" },
  },
  {
    name: "a browser saying same-origin",
    req: { method: "GET", headers: { host: "127.0.0.1:8080", "sec-fetch-site": "same-origin" } },
    expected: { ok: true },
  },
  {
    name: "a preflight",
    req: { method: "OPTIONS", headers: { host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080" } },
    expected: { ok: false, reason: "method" },
  },
];

describe("guardRequest", () => {
  it.each(cases)("$name", ({ req, expected }) => {
    expect(guardRequest(req, policy)).toEqual(expected);
  });
});

describe("consoleHosts", () => {
  it("a wildcard listener answers to this machine's addresses and names, nothing else", () => {
    const p = consoleHosts("0.0.0.0", 8080, [], () => ["ws-12", "192.168.4.7"]);
    expect([...p.hosts].sort()).toEqual(
      ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "ws-12:8080", "192.168.4.7:8080"].sort(),
    );
  });

  it("a specific address answers only to itself, plus the names the file lists", () => {
    const p = consoleHosts("192.168.4.7", 80, ["station-12.site.lan", "[fe80::1]:8443"]);
    expect([...p.hosts].sort()).toEqual(
      [
        "192.168.4.7:80",
        "192.168.4.7",
        "station-12.site.lan:80",
        "station-12.site.lan",
        "[fe80::1]:8443",
      ].sort(),
    );
    expect(guardRequest({ method: "GET", headers: { host: "192.168.4.7" } }, p)).toEqual({ ok: true });
    expect(guardRequest({ method: "GET", headers: { host: "127.0.0.1" } }, p)).toEqual({
      ok: false,
      reason: "foreign-host",
    });
  });
});
