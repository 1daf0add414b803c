import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ConsoleContext } from "./console-server.ts";
import { decoyHash, verifyPassword } from "./console-users.ts";
import { attempt, EMPTY_THROTTLE, result, type ThrottleState } from "./login-throttle.ts";
import {
  type ConsoleSession,
  clearedSessionCookie,
  csrfMatches,
  readCookie,
  SESSION_COOKIE,
  sessionCookie,
} from "./sessions.ts";

/**
 * Who may reach a route:
 * - public: anybody (the login page, its script and style)
 * - page: a logged-in user, else a redirect to the login page
 * - read: a logged-in user (JSON)
 * - session: a logged-in user with the CSRF token (logout)
 * - change: a technician with the CSRF token (every state-changing request)
 */
export type AuthLevel = "public" | "page" | "read" | "session" | "change";

export interface Denial {
  readonly status: number;
  readonly body: { error: string };
  readonly redirect?: string;
}

export const CSRF_HEADER = "x-csrf-token";

export function sessionOf(ctx: ConsoleContext, req: FastifyRequest): ConsoleSession | undefined {
  return ctx.sessions.get(readCookie(req.headers.cookie, SESSION_COOKIE));
}

/** The server-side check behind every route: the page's buttons are only a convenience. */
export function authorize(ctx: ConsoleContext, req: FastifyRequest, level: AuthLevel): Denial | undefined {
  if (level === "public") return undefined;
  const s = sessionOf(ctx, req);
  if (!s) {
    return level === "page"
      ? { status: 302, body: { error: "login needed" }, redirect: "/login" }
      : { status: 401, body: { error: "login needed" } };
  }
  if (level === "page" || level === "read") return undefined;
  const token = req.headers[CSRF_HEADER];
  if (!csrfMatches(s, typeof token === "string" ? token : undefined)) {
    return { status: 403, body: { error: "csrf" } };
  }
  if (level === "change" && s.role !== "technician") return { status: 403, body: { error: "viewer" } };
  return undefined;
}

const LoginSchema = z.object({ user: z.string().min(1).max(64), password: z.string().min(1).max(256) });

export function registerAuth(app: FastifyInstance, ctx: ConsoleContext): void {
  let throttle: ThrottleState = EMPTY_THROTTLE;
  const log = ctx.log.child({ part: "login" });

  app.post("/api/login", { config: { auth: "public" } }, async (req, reply) => {
    const body = LoginSchema.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: "user and password needed" });
    const { user, password } = body.data;
    const name = user.trim().toLowerCase();
    const address = req.ip;
    const a = attempt(throttle, name, address, ctx.now());
    throttle = a.state;
    if (!a.verdict.allow) {
      log.warn({ user: name, address, why: a.verdict.why }, "console login refused unchecked");
      const retryAfterS = Math.max(1, Math.ceil(a.verdict.retryAfterMs / 1000));
      reply.header("retry-after", String(retryAfterS));
      return reply.code(429).send({ error: a.verdict.why, retryAfterS });
    }
    let known: ReturnType<NonNullable<ReturnType<typeof ctx.source.users>>["users"]["find"]>;
    try {
      known = ctx.source.users()?.users.find((u) => u.name === name);
    } catch (err) {
      log.error({ err: String(err) }, "console users file unusable");
      return reply.code(503).send({ error: "users-unavailable" });
    }
    // An unknown name costs the same argon2 check as a known one: no timing tells them apart.
    const ok = known
      ? await verifyPassword(known.hash, password)
      : (await verifyPassword(await decoyHash(), password)) && false;
    const r = result(throttle, name, ok, ctx.now());
    throttle = r.state;
    for (const e of r.effects) {
      log.warn({ user: name, address, failures: e.failures }, "console login locked out");
      ctx.source.emit("console.lockout", {
        user: name.slice(0, 64),
        failures: e.failures,
        lockedForS: Math.ceil(e.lockedForMs / 1000),
        address: address.slice(0, 64),
      });
    }
    if (!ok || !known) {
      log.warn({ user: name, address }, "console login failed");
      return reply.code(401).send({ error: r.effects.length > 0 ? "locked" : "wrong" });
    }
    const s = ctx.sessions.create(known.name, known.role);
    ctx.source.emit("console.login", { user: s.user, role: s.role });
    log.info({ user: s.user, role: s.role, address }, "console login");
    reply.header("set-cookie", sessionCookie(s.id, ctx.secure));
    return reply.send({ user: s.user, role: s.role, csrf: s.csrf });
  });

  app.post("/api/logout", { config: { auth: "session" } }, async (req, reply) => {
    const s = sessionOf(ctx, req);
    if (s) {
      ctx.sessions.end(s.id);
      ctx.streams.closeSession(s.id);
    }
    reply.header("set-cookie", clearedSessionCookie(ctx.secure));
    return reply.send({ ok: true });
  });

  app.get("/api/me", { config: { auth: "read" } }, async (req, reply) => {
    const s = sessionOf(ctx, req);
    return reply.send({ user: s?.user, role: s?.role });
  });
}
