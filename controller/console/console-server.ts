import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { EventPayload, EventType, StationEvent } from "../contract/events.ts";
import type { StationState } from "../contract/state.ts";
import type { CommandReply, LocalCommandRunner } from "../control/local-commands.ts";
import type { HistoryFilter } from "../events/journal-history.ts";
import type { Principal } from "../subsystem.ts";
import { registerApi } from "./api-routes.ts";
import { type AuthLevel, authorize, registerAuth } from "./auth-routes.ts";
import type { ConfigEditor } from "./config-editor.ts";
import type { ConsoleUsers } from "./console-users.ts";
import { type ConsoleExtension, sendJson } from "./http-route.ts";
import type { Lang } from "./i18n.ts";
import { listenOn } from "./listen.ts";
import { registerPages } from "./pages.ts";
import { consoleHosts, type GuardPolicy, guardRequest } from "./request-guard.ts";
import { SessionStore } from "./sessions.ts";
import { LiveStreams } from "./streams.ts";

export type RefusalReason = EventPayload<"console.request-refused">["reason"];

/** The command router, as the console uses it: every command on behalf of the user logged in. */
export interface ConsoleRunner extends Pick<LocalCommandRunner, "rejectRequest" | "list"> {
  runAs(
    principal: Principal & { kind: "local" },
    name: string,
    rawArgs: unknown,
    id?: string,
    progress?: (line: string) => void,
  ): Promise<CommandReply>;
}

export interface ConsoleSource {
  state(): StationState;
  subscribe(listener: (event: StationEvent) => void): () => void;
  onStateChange(listener: (state: StationState) => void): () => void;
  /** told about every refused request; the console does its own rate limiting of the journal */
  refused?(refusal: EventPayload<"console.request-refused">): void;
  /** every change goes through here, audited with the user's name (`local:console:<user>`) */
  readonly runner: ConsoleRunner;
  /** security and audit events, onto the bus (and so the journal) */
  emit<T extends EventType>(type: T, payload: EventPayload<T>): void;
  /** who may log in; read at every login, so `waystation provision` needs no restart */
  users(): ConsoleUsers | undefined;
  /** the station file, when the console may edit it */
  readonly config?: ConfigEditor;
  /** the event log's history from the journal, newest first (absent: this run's events only) */
  history?(filter: HistoryFilter): StationEvent[];
}

export interface ConsoleOptions {
  host: string;
  port: number;
  title: string;
  /** further host names the console answers to (a name in the site's DNS) */
  allowedHosts?: readonly string[];
  /** live event-stream clients at most; more get 503 */
  maxStreamClients?: number;
  /** monotonic ms, for rate-limiting refusal events, sessions and logins */
  now?: () => number;
  /** the station's language; each browser may switch for itself */
  language?: Lang;
  /** served over TLS: the session cookie is then `Secure` */
  tls?: { key: Buffer; cert: Buffer };
}

/** At most one refusal event a minute reaches the journal: a hostile page cannot flood it. */
const REFUSAL_EVENT_INTERVAL_MS = 60_000;
const DEFAULT_STREAM_CLIENTS = 8;

/** What the route modules share. */
export interface ConsoleContext {
  readonly opts: ConsoleOptions;
  readonly source: ConsoleSource;
  readonly sessions: SessionStore;
  readonly streams: LiveStreams;
  readonly log: Logger;
  readonly extensions: readonly ConsoleExtension[];
  readonly secure: boolean;
  now(): number;
  refuse(req: FastifyRequest, reply: FastifyReply, reason: RefusalReason): void;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** who may reach the route (auth-routes.ts); a route without it is not the console's */
    auth?: AuthLevel;
  }
}

/**
 * The technician console on fastify: a login (argon2, throttled, locked out after repeated
 * failures), sessions in an HttpOnly SameSite=Strict cookie with a CSRF token, the roles
 * technician and viewer, the pages, and a live Server-Sent-Events stream. In front of every route
 * (the simulator's too) the cross-site guard of request-guard.ts. Extensions (routes and page
 * sections the composition root adds) keep their plain node:http handlers.
 */
export class ConsoleServer {
  private app: FastifyInstance | undefined;
  private readonly unsubscribers: (() => void)[] = [];
  private policy: GuardPolicy = { hosts: new Set() };
  private refusedPending = 0;
  private lastRefusalEventMs: number | undefined;
  private readonly ctx: ConsoleContext;
  /** refused requests since start, by reason */
  readonly refusals: Partial<Record<RefusalReason, number>> = {};
  readonly sessions: SessionStore;
  port = 0;

  constructor(
    private readonly opts: ConsoleOptions,
    private readonly source: ConsoleSource,
    private readonly log: Logger,
    private readonly extensions: readonly ConsoleExtension[] = [],
  ) {
    const now = () => opts.now?.() ?? performance.now();
    this.sessions = new SessionStore(now);
    const streams = new LiveStreams(opts.maxStreamClients ?? DEFAULT_STREAM_CLIENTS, this.sessions);
    this.ctx = {
      opts,
      source,
      sessions: this.sessions,
      streams,
      log,
      extensions,
      secure: opts.tls !== undefined,
      now,
      refuse: (req, reply, reason) => this.refuse(req, reply, reason),
    };
  }

  async start(): Promise<void> {
    const { streams } = this.ctx;
    this.unsubscribers.push(
      this.source.subscribe((event) => streams.event(event)),
      this.source.onStateChange((state) => streams.broadcast("state", state)),
    );
    const app = fastify({
      logger: false,
      bodyLimit: 256 * 1024,
      ...(this.opts.tls ? { https: this.opts.tls } : {}),
    } as Parameters<typeof fastify>[0]) as unknown as FastifyInstance;
    this.app = app;
    // The extensions read their own bodies from the raw request: nothing is parsed at the root.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));
    app.addHook("onRequest", async (req, reply) => {
      const verdict = guardRequest({ method: req.method, headers: req.headers }, this.policy);
      if (!verdict.ok) return this.refuse(req, reply, verdict.reason);
      reply.header("content-security-policy", CSP);
      reply.header("x-content-type-options", "nosniff");
      reply.header("referrer-policy", "no-referrer");
      const level = req.routeOptions.config?.auth;
      if (level === undefined) return; // the not-found handler checks for itself
      const denial = authorize(this.ctx, req, level);
      if (denial?.redirect) return reply.redirect(denial.redirect);
      if (denial) return reply.code(denial.status).send(denial.body);
    });
    app.setErrorHandler((err, req, reply) => {
      this.log.warn({ err: String(err), url: req.url }, "console request failed");
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      reply
        .code(status >= 400 && status < 500 ? status : 500)
        .send({ error: status < 500 ? "bad request" : "internal error" });
    });
    await app.register(async (scope) => {
      scope.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
        try {
          done(null, body === "" ? {} : JSON.parse(String(body)));
        } catch {
          done(Object.assign(new Error("not JSON"), { statusCode: 400 }), undefined);
        }
      });
      registerAuth(scope, this.ctx);
      registerApi(scope, this.ctx);
      registerPages(scope, this.ctx);
    });
    app.setNotFoundHandler(async (req, reply) => this.notFound(req, reply));
    await app.ready();
    this.port = await listenOn(app.server, this.opts.host, this.opts.port, "console.port");
    this.policy = consoleHosts(this.opts.host, this.port, this.opts.allowedHosts);
    this.log.info({ url: this.url }, "technician console listening");
  }

  get url(): string {
    return `${this.opts.tls ? "https" : "http"}://${this.opts.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    this.ctx.streams.closeAll();
    const app = this.app;
    this.app = undefined;
    if (!app) return;
    app.server.closeAllConnections();
    await app.close();
  }

  /** Extensions: the open ones (the simulator's controls) first, the rest behind a session. */
  private async notFound(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = new URL(req.url, "http://console.local");
    reply.hijack();
    const raw = reply.raw;
    for (const ext of this.extensions)
      if (ext.open && ext.route && (await ext.route(req.raw, raw, url))) return;
    const closed = this.extensions.filter((e) => !e.open && e.route);
    const level: AuthLevel = req.method === "GET" || req.method === "HEAD" ? "read" : "change";
    const denial = closed.length > 0 ? authorize(this.ctx, req, level) : undefined;
    if (denial) return sendJson(raw, denial.status, denial.body);
    for (const ext of closed) if (ext.route && (await ext.route(req.raw, raw, url))) return;
    sendJson(raw, 404, { error: "not found" });
  }

  private refuse(req: FastifyRequest, reply: FastifyReply, reason: RefusalReason): void {
    this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
    this.refusedPending++;
    const method = (req.method ?? "?").slice(0, 16);
    const path = new URL(req.url, "http://console.local").pathname.slice(0, 128);
    this.log.warn({ reason, method, path, host: req.headers.host?.slice(0, 128) }, "console request refused");
    const now = this.ctx.now();
    if (this.lastRefusalEventMs === undefined || now - this.lastRefusalEventMs >= REFUSAL_EVENT_INTERVAL_MS) {
      this.lastRefusalEventMs = now;
      const refusedSinceLast = this.refusedPending;
      this.refusedPending = 0;
      this.source.refused?.({ reason, method, path, refusedSinceLast });
    }
    const tooMany = reason === "too-many-streams";
    reply.header("connection", "close");
    if (tooMany) reply.header("retry-after", "10");
    reply.code(tooMany ? 503 : 403).send({ error: tooMany ? "too many live streams" : "refused", reason });
  }
}

/** Nothing leaves the station: every script, style, image and connection is the console's own. */
const CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
