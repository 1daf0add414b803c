import type { z } from "zod";
import { COMMAND_ID, SignedMessageSchema } from "../contract/command-wire.ts";
import type { TimeQuality } from "../contract/time-quality.ts";
import type { KeyRing } from "./key-ring.ts";

export { type CommandEnvelope, CommandEnvelopeSchema } from "../contract/command-wire.ts";

export const REJECT_CODES = [
  "TOO_LARGE",
  "MALFORMED",
  "UNKNOWN_KEY",
  "RETIRED_KEY",
  "BAD_SIGNATURE",
  "BAD_ENVELOPE",
  "WRONG_STATION",
  "BAD_WINDOW",
  "NOT_YET_VALID",
  "EXPIRED",
  "STALE",
  "REPLAYED",
  "NAME_MISMATCH",
  "UNKNOWN_COMMAND",
  "BAD_ARGS",
  "REPLAY_CACHE_UNAVAILABLE",
  "STATION_NOT_READY",
  "BAD_REQUEST",
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

export interface Rejection {
  ok: false;
  code: RejectCode;
  detail: string;
  /** the command id, when one could be read (possibly from an unverified envelope: for the reply only) */
  id?: string | undefined;
  name?: string | undefined;
  kid?: string | undefined;
}

export function reject(code: RejectCode, detail: string, extra: Partial<Rejection> = {}): Rejection {
  return { ...extra, ok: false, code, detail };
}

export interface Opened {
  ok: true;
  kid: string;
  body: unknown;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(strictUtf8.decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

/** The id and name of an envelope that did not verify: good enough to address a reply, trusted for nothing. */
function unverifiedLabels(envelope: string | undefined): Partial<Rejection> {
  if (!envelope) return {};
  const parsed = parseJson(Buffer.from(envelope, "base64url"));
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) return {};
  const { id, name } = parsed.value as { id?: unknown; name?: unknown };
  return {
    ...(typeof id === "string" && COMMAND_ID.test(id) ? { id } : {}),
    ...(typeof name === "string" && name.length <= 64 ? { name } : {}),
  };
}

/** Size, shape, key and signature; then the verified envelope bytes parsed as JSON. */
export function openSigned(payload: Buffer, keys: KeyRing, maxBytes: number): Opened | Rejection {
  if (payload.length > maxBytes) {
    return reject("TOO_LARGE", `${payload.length} bytes; at most ${maxBytes} are read`);
  }
  const outer = parseJson(payload);
  if (!outer.ok) return reject("MALFORMED", "not UTF-8 JSON");
  const parsed = SignedMessageSchema.safeParse(outer.value);
  if (!parsed.success) {
    const labels = unverifiedLabels((outer.value as { envelope?: unknown } | null)?.envelope as string);
    return reject("MALFORMED", describeIssues(parsed.error), labels);
  }
  const { kid, envelope, sig } = parsed.data;
  const labels = { ...unverifiedLabels(envelope), kid };
  const bytes = Buffer.from(envelope, "base64url");
  const outcome = keys.verify(kid, bytes, Buffer.from(sig, "base64url"));
  if (outcome === "UNKNOWN_KEY") return reject(outcome, `no pinned key has kid "${kid}"`, labels);
  if (outcome === "RETIRED_KEY") return reject(outcome, `key "${kid}" is retired`, labels);
  if (outcome === "BAD_SIGNATURE")
    return reject(outcome, `the signature does not verify under "${kid}"`, labels);
  const body = parseJson(bytes);
  if (!body.ok) return reject("BAD_ENVELOPE", "the signed envelope is not UTF-8 JSON", labels);
  return { ok: true, kid, body: body.value };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`)
    .join("; ");
}

export interface WindowContext {
  stationId: string;
  now: number;
  timeQuality: TimeQuality;
  skewMs: number;
  maxLifetimeMs: number;
  /** the newest issuedAt ever accepted (ms), 0 when none */
  highWater: number;
  seen(nonce: string): boolean;
}

/**
 * Station, time window and replay. With a trusted clock: issuedAt - skew <= now < expiresAt + skew.
 * With time quality `unknown` the window cannot be judged, so the envelope must instead be issued
 * after the newest one ever accepted: a captured old command cannot be replayed, and a station
 * whose clock is lost can still be managed (one command at a time, in order).
 */
export function checkWindow(
  env: { id: string; station: string; issuedAt: string; expiresAt: string; nonce: string },
  ctx: WindowContext,
): Rejection | undefined {
  const labels = { id: env.id };
  if (env.station !== ctx.stationId) {
    return reject("WRONG_STATION", `addressed to "${env.station}", this is "${ctx.stationId}"`, labels);
  }
  const issued = Date.parse(env.issuedAt);
  const expires = Date.parse(env.expiresAt);
  if (!(expires > issued) || expires - issued > ctx.maxLifetimeMs) {
    return reject(
      "BAD_WINDOW",
      `expiresAt must follow issuedAt by at most ${ctx.maxLifetimeMs / 1000} s`,
      labels,
    );
  }
  if (ctx.timeQuality === "unknown") {
    if (issued <= ctx.highWater) {
      return reject(
        "STALE",
        `the station's time is unknown: only envelopes issued after ${new Date(ctx.highWater).toISOString()} (the newest accepted) are taken`,
        labels,
      );
    }
  } else {
    if (ctx.now + ctx.skewMs < issued) {
      return reject("NOT_YET_VALID", `issued ${env.issuedAt}, station time ${iso(ctx.now)}`, labels);
    }
    if (ctx.now - ctx.skewMs >= expires) {
      return reject("EXPIRED", `expired ${env.expiresAt}, station time ${iso(ctx.now)}`, labels);
    }
  }
  if (ctx.seen(env.nonce)) return reject("REPLAYED", "this nonce was already used", labels);
  return undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
