import { describe, expect, it } from "vitest";
import { KeyRing } from "./key-ring.ts";
import { CommandEnvelopeSchema, checkWindow, openSigned, type WindowContext } from "./signed-message.ts";
import { centralKey, commandEnvelope, signEnvelope } from "./test-signing.ts";

const a = centralKey("central-a");
const b = centralKey("central-b");
const old = centralKey("central-old");
const ring = new KeyRing([a.pinned, b.pinned, { ...old.pinned, retired: true }]);
const T = Date.parse("2026-12-01T22:00:00Z");

const buf = (o: unknown) => Buffer.from(JSON.stringify(o));

describe("openSigned", () => {
  const env = commandEnvelope({}, T);
  const good = signEnvelope(a, env);
  const tampered = {
    ...good,
    envelope: Buffer.from(JSON.stringify({ ...env, name: "lock" })).toString("base64url"),
  };
  const cases: { what: string; payload: Buffer; code: string | "ok" }[] = [
    { what: "a good signature", payload: buf(good), code: "ok" },
    { what: "the second pinned key", payload: buf(signEnvelope(b, env)), code: "ok" },
    { what: "an envelope changed after signing", payload: buf(tampered), code: "BAD_SIGNATURE" },
    {
      what: "a signature by another key under a's kid",
      payload: buf({ ...signEnvelope(b, env), kid: "central-a" }),
      code: "BAD_SIGNATURE",
    },
    { what: "a short signature", payload: buf({ ...good, sig: "AAAA" }), code: "BAD_SIGNATURE" },
    { what: "an unknown kid", payload: buf({ ...good, kid: "nobody" }), code: "UNKNOWN_KEY" },
    { what: "a retired key", payload: buf(signEnvelope(old, env)), code: "RETIRED_KEY" },
    { what: "not JSON", payload: Buffer.from("{nope"), code: "MALFORMED" },
    { what: "not UTF-8", payload: Buffer.from([0x7b, 0xff, 0x7d]), code: "MALFORMED" },
    { what: "a missing sig", payload: buf({ kid: "central-a", envelope: good.envelope }), code: "MALFORMED" },
    { what: "an extra field", payload: buf({ ...good, x: 1 }), code: "MALFORMED" },
    { what: "too large", payload: Buffer.alloc(70_000, 32), code: "TOO_LARGE" },
  ];
  it.each(cases)("$what → $code", ({ payload, code }) => {
    const r = openSigned(payload, ring, 65_536);
    expect(r.ok ? "ok" : r.code).toBe(code);
  });

  it("labels a rejection with the unverified id so the reply can be addressed", () => {
    const r = openSigned(buf(tampered), ring, 65_536);
    expect(r).toMatchObject({ ok: false, id: env.id, kid: "central-a" });
  });

  it("accepts padded base64url (Python's urlsafe_b64encode)", () => {
    const padded = {
      ...good,
      sig: Buffer.from(good.sig, "base64url").toString("base64").replace(/\+/g, "-").replace(/\//g, "_"),
    };
    expect(padded.sig.endsWith("=")).toBe(true);
    expect(openSigned(buf(padded), ring, 65_536).ok).toBe(true);
  });
});

describe("checkWindow", () => {
  const base: WindowContext = {
    stationId: "test-station",
    now: T,
    timeQuality: "synced",
    skewMs: 60_000,
    maxLifetimeMs: 900_000,
    highWater: 0,
    seen: () => false,
  };
  const env = (over: Record<string, unknown> = {}) => CommandEnvelopeSchema.parse(commandEnvelope(over, T));
  const at = (ms: number) => new Date(ms).toISOString();
  const cases: {
    what: string;
    env: ReturnType<typeof env>;
    ctx?: Partial<WindowContext>;
    code: string | undefined;
  }[] = [
    { what: "valid now", env: env(), code: undefined },
    { what: "another station", env: env({ station: "other" }), code: "WRONG_STATION" },
    {
      what: "issued just inside the skew ahead",
      env: env({ issuedAt: at(T + 59_000), expiresAt: at(T + 120_000) }),
      code: undefined,
    },
    {
      what: "issued beyond the skew ahead",
      env: env({ issuedAt: at(T + 61_000), expiresAt: at(T + 120_000) }),
      code: "NOT_YET_VALID",
    },
    {
      what: "expired within the skew",
      env: env({ issuedAt: at(T - 120_000), expiresAt: at(T - 30_000) }),
      code: undefined,
    },
    {
      what: "expired beyond the skew",
      env: env({ issuedAt: at(T - 300_000), expiresAt: at(T - 60_000) }),
      code: "EXPIRED",
    },
    { what: "expires before it is issued", env: env({ expiresAt: at(T - 1) }), code: "BAD_WINDOW" },
    { what: "valid for too long", env: env({ expiresAt: at(T + 901_000) }), code: "BAD_WINDOW" },
    { what: "a nonce already used", env: env(), ctx: { seen: () => true }, code: "REPLAYED" },
    {
      what: "time unknown, expired by the clock but newer than the high-water",
      env: env({ issuedAt: at(T - 3_600_000), expiresAt: at(T - 3_500_000) }),
      ctx: { timeQuality: "unknown", highWater: T - 7_200_000 },
      code: undefined,
    },
    {
      what: "time unknown, not newer than the high-water",
      env: env(),
      ctx: { timeQuality: "unknown", highWater: T },
      code: "STALE",
    },
    {
      what: "time unknown, still no replay",
      env: env(),
      ctx: { timeQuality: "unknown", seen: () => true },
      code: "REPLAYED",
    },
    {
      what: "rtc time is trusted for the window",
      env: env({ issuedAt: at(T - 300_000), expiresAt: at(T - 61_000) }),
      ctx: { timeQuality: "rtc" },
      code: "EXPIRED",
    },
  ];
  it.each(cases)("$what → $code", ({ env, ctx, code }) => {
    expect(checkWindow(env, { ...base, ...ctx })?.code).toBe(code);
  });
});
