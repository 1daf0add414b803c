import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { EventPayload, StationEvent } from "../contract/events.ts";
import type { StationState } from "../contract/state.ts";
import { type ConsoleExtension, sendJson } from "./http-route.ts";
import { listenOn } from "./listen.ts";
import { consolePage } from "./page.ts";
import { consoleHosts, type GuardPolicy, guardRequest } from "./request-guard.ts";

export type RefusalReason = EventPayload<"console.request-refused">["reason"];

export interface ConsoleSource {
  state(): StationState;
  /** a technician's reset after a fire alarm (through the command router, audited) */
  fireReset(via: "console" | "cli"): Promise<{ ok: boolean; detail: string }>;
  subscribe(listener: (event: StationEvent) => void): () => void;
  onStateChange(listener: (state: StationState) => void): () => void;
  /** told about every refused request; the console does its own rate limiting of the journal */
  refused?(refusal: EventPayload<"console.request-refused">): void;
}

export interface ConsoleOptions {
  host: string;
  port: number;
  title: string;
  /** further host names the console answers to (a name in the site's DNS) */
  allowedHosts?: readonly string[];
  /** live event-stream clients at most; more get 503 */
  maxStreamClients?: number;
  /** monotonic ms, for rate-limiting refusal events */
  now?: () => number;
}

/** At most one refusal event a minute reaches the journal: a hostile page cannot flood it. */
const REFUSAL_EVENT_INTERVAL_MS = 60_000;
const DEFAULT_STREAM_CLIENTS = 8;

const RECENT_EVENTS = 200;

/**
 * The technician console: one page, the state as JSON and a live Server-Sent-Events stream of
 * events and state changes. Extensions (routes and a page section) are handed in by the
 * composition root; the console does not know what they are.
 */
export class ConsoleServer {
  private server: Server | undefined;
  private readonly recent: StationEvent[] = [];
  private readonly clients = new Set<ServerResponse>();
  private readonly unsubscribers: (() => void)[] = [];
  private policy: GuardPolicy = { hosts: new Set() };
  private refusedPending = 0;
  private lastRefusalEventMs: number | undefined;
  /** refused requests since start, by reason */
  readonly refusals: Partial<Record<RefusalReason, number>> = {};
  port = 0;

  constructor(
    private readonly opts: ConsoleOptions,
    private readonly source: ConsoleSource,
    private readonly log: Logger,
    private readonly extensions: readonly ConsoleExtension[] = [],
  ) {}

  async start(): Promise<void> {
    this.unsubscribers.push(
      this.source.subscribe((event) => {
        this.recent.push(event);
        if (this.recent.length > RECENT_EVENTS) this.recent.shift();
        this.broadcast("event", event);
      }),
      this.source.onStateChange((state) => this.broadcast("state", state)),
    );
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        this.log.warn({ err: String(err), url: req.url }, "console request failed");
        if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        else res.end();
      });
    });
    this.server = server;
    this.port = await listenOn(server, this.opts.host, this.opts.port, "console.port");
    this.policy = consoleHosts(this.opts.host, this.port, this.opts.allowedHosts);
    this.log.info({ url: this.url }, "technician console listening");
  }

  get url(): string {
    return `http://${this.opts.host}:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    for (const c of this.clients) c.end();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://console.local");
    const verdict = guardRequest(req, this.policy);
    if (!verdict.ok) return this.refuse(req, res, url, verdict.reason);
    for (const ext of this.extensions) if (ext.route && (await ext.route(req, res, url))) return;
    if (req.method === "POST" && url.pathname === "/api/door/fire-reset") {
      // The CLI says so in a header, for the audit trail; anything else is the console page.
      const via = req.headers["x-waystation-client"] === "cli" ? "cli" : "console";
      const r = await this.source.fireReset(via);
      this.log.warn({ result: r }, "fire reset requested from the console");
      return sendJson(res, r.ok ? 200 : 409, r);
    }
    if (req.method !== "GET") return sendJson(res, 405, { error: "method not allowed" });
    switch (url.pathname) {
      case "/":
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        res.end(
          consolePage(
            this.opts.title,
            this.extensions.flatMap((e) => (e.panel ? [e.panel] : [])),
          ),
        );
        return;
      case "/api/state":
        return sendJson(res, 200, this.source.state());
      case "/api/events":
        return sendJson(res, 200, this.recent);
      case "/api/stream":
        if (this.clients.size >= (this.opts.maxStreamClients ?? DEFAULT_STREAM_CLIENTS)) {
          return this.refuse(req, res, url, "too-many-streams");
        }
        return this.openStream(res);
      default:
        return sendJson(res, 404, { error: "not found" });
    }
  }

  private refuse(req: IncomingMessage, res: ServerResponse, url: URL, reason: RefusalReason): void {
    this.refusals[reason] = (this.refusals[reason] ?? 0) + 1;
    this.refusedPending++;
    const method = (req.method ?? "?").slice(0, 16);
    const path = url.pathname.slice(0, 128);
    this.log.warn({ reason, method, path, host: req.headers.host?.slice(0, 128) }, "console request refused");
    const now = this.opts.now?.() ?? performance.now();
    if (this.lastRefusalEventMs === undefined || now - this.lastRefusalEventMs >= REFUSAL_EVENT_INTERVAL_MS) {
      this.lastRefusalEventMs = now;
      const refusedSinceLast = this.refusedPending;
      this.refusedPending = 0;
      this.source.refused?.({ reason, method, path, refusedSinceLast });
    }
    const tooMany = reason === "too-many-streams";
    res.setHeader("connection", "close");
    if (tooMany) res.setHeader("retry-after", "10");
    sendJson(res, tooMany ? 503 : 403, { error: tooMany ? "too many live streams" : "refused", reason });
  }

  private openStream(res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    res.write(`event: state\ndata: ${JSON.stringify(this.source.state())}\n\n`);
    for (const e of this.recent) res.write(`event: event\ndata: ${JSON.stringify(e)}\n\n`);
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  private broadcast(kind: "event" | "state", data: unknown): void {
    const frame = `event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(frame);
  }
}
