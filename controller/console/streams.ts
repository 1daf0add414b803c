import type { ServerResponse } from "node:http";
import type { StationEvent } from "../contract/events.ts";
import type { SessionStore } from "./sessions.ts";

/** Events the console keeps for its event log (the journal itself keeps only what is not yet delivered). */
const HISTORY = 1000;
/** Sent on connect, so a page shows something at once. */
const REPLAY = 50;

/**
 * The live Server-Sent-Events streams, each bound to the session that opened it: a stream ends
 * when its session does (logout, expiry), so a logged-out browser stops seeing the station.
 */
export class LiveStreams {
  private readonly clients = new Map<ServerResponse, string>();
  readonly history: StationEvent[] = [];

  constructor(
    private readonly max: number,
    private readonly sessions: SessionStore,
  ) {}

  get full(): boolean {
    return this.clients.size >= this.max;
  }

  open(res: ServerResponse, sessionId: string, first: { kind: string; data: unknown }[]): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    for (const f of first) res.write(frame(f.kind, f.data));
    for (const e of this.history.slice(-REPLAY)) res.write(frame("event", e));
    this.clients.set(res, sessionId);
    res.on("close", () => this.clients.delete(res));
  }

  event(e: StationEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    this.broadcast("event", e);
  }

  broadcast(kind: string, data: unknown): void {
    const text = frame(kind, data);
    for (const [c, sid] of this.clients) {
      if (!this.sessions.alive(sid)) {
        this.clients.delete(c);
        c.end();
        continue;
      }
      c.write(text);
    }
  }

  /** Ends the streams of one session (it logged out). */
  closeSession(sessionId: string): void {
    for (const [c, sid] of this.clients) {
      if (sid !== sessionId) continue;
      this.clients.delete(c);
      c.end();
    }
  }

  closeAll(): void {
    for (const c of this.clients.keys()) c.end();
    this.clients.clear();
  }
}

function frame(kind: string, data: unknown): string {
  return `event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
}
