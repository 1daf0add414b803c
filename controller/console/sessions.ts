import { randomBytes, timingSafeEqual } from "node:crypto";
import type { ConsoleRole } from "./console-users.ts";

export interface ConsoleSession {
  readonly id: string;
  readonly user: string;
  readonly role: ConsoleRole;
  /** sent back in `x-csrf-token` on every state-changing request */
  readonly csrf: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface SessionPolicy {
  /** a session unused this long ends */
  readonly idleMs: number;
  /** and none lives longer than this */
  readonly maxAgeMs: number;
  /** sessions at most; the least recently used goes first */
  readonly max: number;
}

export const DEFAULT_SESSIONS: SessionPolicy = { idleMs: 30 * 60_000, maxAgeMs: 12 * 3_600_000, max: 32 };

/**
 * Console sessions, in memory: a restart logs everybody out, which is what a station restart
 * should do. The id is 32 random bytes in an HttpOnly cookie; the CSRF token is a second random
 * value the page reads from its own HTML, which a cross-site page cannot.
 */
export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly now: () => number,
    private readonly policy: SessionPolicy = DEFAULT_SESSIONS,
  ) {}

  create(user: string, role: ConsoleRole): ConsoleSession {
    const now = this.now();
    const s: ConsoleSession = {
      id: randomBytes(32).toString("base64url"),
      user,
      role,
      csrf: randomBytes(24).toString("base64url"),
      createdAt: now,
      lastSeenAt: now,
    };
    this.sessions.set(s.id, s);
    while (this.sessions.size > this.policy.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return s;
  }

  /** The live session for this id, touched; undefined when unknown or expired. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastSeenAt >= this.policy.idleMs || now - s.createdAt >= this.policy.maxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeenAt = now;
    // re-insert: Map order is then least-recently-used first
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  /** Is the session still live? Does not count as use (a live stream alone keeps nobody logged in). */
  alive(id: string): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    const now = this.now();
    return now - s.lastSeenAt < this.policy.idleMs && now - s.createdAt < this.policy.maxAgeMs;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  /** A user's sessions end (their account was removed or changed). */
  endUser(user: string): void {
    for (const [id, s] of this.sessions) if (s.user === user) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}

export function csrfMatches(session: ConsoleSession, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie from a Cookie header (no library: the console sets two cookies). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export const SESSION_COOKIE = "ws_session";
export const LANG_COOKIE = "ws_lang";

export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}
