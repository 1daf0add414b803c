import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { StationEvent } from "../contract/events.ts";
import { type HistoryFilter, mergeHistory } from "../events/journal-history.ts";
import { sessionOf } from "./auth-routes.ts";
import type { ConsoleContext } from "./console-server.ts";

const CommandBody = z.object({
  name: z.string().min(1).max(64),
  args: z.unknown().optional(),
  /** the page's own id for the command, so it can pick its progress lines out of the stream */
  id: z
    .string()
    .regex(/^[A-Za-z0-9-]{8,64}$/)
    .optional(),
});
const EventsQuery = z.object({
  type: z.string().max(200).optional(),
  q: z.string().max(200).optional(),
  /** only events at or after this time (ISO 8601, or the page's datetime-local) */
  since: z.string().max(40).optional(),
  /** only events before this seq: the next page back */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** The event log's filters: type prefixes (comma-separated) and a free text anywhere in the event. */
export function filterEvents(events: readonly StationEvent[], f: HistoryFilter): StationEvent[] {
  const prefixes = f.types ?? [];
  const q = f.text?.trim().toLowerCase();
  const out: StationEvent[] = [];
  for (let i = events.length - 1; i >= 0 && out.length < f.limit; i--) {
    const e = events[i] as StationEvent;
    if (prefixes.length > 0 && !prefixes.some((p) => e.type.startsWith(p))) continue;
    if (q && !JSON.stringify(e).toLowerCase().includes(q)) continue;
    if (f.sinceMs !== undefined && Date.parse(e.ts) < f.sinceMs) continue;
    if (f.beforeSeq !== undefined && e.seq >= f.beforeSeq) continue;
    out.push(e);
  }
  return out;
}

/** The query's filters as the journal and the in-memory list both take them. */
export function historyFilter(q: z.output<typeof EventsQuery>): HistoryFilter | undefined {
  const sinceMs = q.since ? Date.parse(q.since) : undefined;
  if (sinceMs !== undefined && Number.isNaN(sinceMs)) return undefined;
  const text = q.q?.trim();
  return {
    types: (q.type ?? "")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean),
    ...(text ? { text } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(q.before !== undefined ? { beforeSeq: q.before } : {}),
    limit: q.limit,
  };
}

export function registerApi(app: FastifyInstance, ctx: ConsoleContext): void {
  const { source, streams } = ctx;

  app.get("/api/state", { config: { auth: "read" } }, async () => source.state());

  app.get("/api/events", { config: { auth: "read" } }, async (req, reply) => {
    const q = EventsQuery.safeParse(req.query);
    const f = q.success ? historyFilter(q.data) : undefined;
    if (!f) return reply.code(400).send({ error: "bad filter" });
    // the journal's history, and this run's events the journal may not have committed yet
    return mergeHistory(source.history?.(f) ?? [], filterEvents(streams.history, f), f.limit);
  });

  app.get("/api/stream", { config: { auth: "read" } }, async (req, reply) => {
    if (streams.full) return ctx.refuse(req, reply, "too-many-streams");
    const s = sessionOf(ctx, req);
    if (!s) return reply.code(401).send({ error: "login needed" });
    reply.hijack();
    streams.open(reply.raw, s.id, [{ kind: "state", data: source.state() }]);
  });

  // Every change the console makes: one route, through the command router, audited as
  // cmd.executed / cmd.rejected with the principal local:console:<user>.
  app.post("/api/command", { config: { auth: "change" } }, async (req, reply) => {
    const s = sessionOf(ctx, req);
    if (!s) return reply.code(401).send({ error: "login needed" });
    const body = CommandBody.safeParse(req.body);
    if (!body.success)
      return reply.send(source.runner.rejectRequest(undefined, "console", "name and args needed"));
    const { name, args } = body.data;
    const commandId = body.data.id ?? randomUUID();
    const progress = (line: string) => streams.broadcast("progress", { commandId, line });
    const principal = { kind: "local", via: "console", user: s.user } as const;
    return reply.send(await source.runner.runAs(principal, name, args ?? {}, commandId, progress));
  });

  app.get("/api/commands", { config: { auth: "read" } }, async () => source.runner.list());

  app.get("/api/config", { config: { auth: "read" } }, async (_req, reply) => {
    if (!source.config) return reply.code(404).send({ error: "no station file to edit" });
    return { file: source.config.file, text: source.config.read(), command: source.config.command };
  });

  // Checking is not a change, but it is a POST: it needs the session's CSRF token like the rest.
  app.post("/api/config/check", { config: { auth: "session" } }, async (req, reply) => {
    const text = z.object({ text: z.string().max(200_000) }).safeParse(req.body);
    if (!source.config || !text.success) return reply.code(400).send({ error: "text needed" });
    return { issues: source.config.check(text.data.text) };
  });
}
