import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { StationError } from "../../config/errors.ts";

/**
 * Reports from external face terminals that match on their own (a Hikvision/ZKTeco-class device
 * on the LAN): an HTTP POST whose body names the person. Authenticated with a shared secret:
 *
 *   X-Waystation-Timestamp: <unix seconds>
 *   X-Waystation-Signature: hex(HMAC-SHA256(secret, timestamp + "." + body))
 *
 * A report older or newer than the tolerance, or one whose signature was already seen inside it
 * (a replay), is refused. Pure: the caller supplies the time and the set of seen signatures.
 */
export const TerminalReportSchema = z
  .object({
    terminalId: z.string().min(1).max(64),
    personId: z.string().min(1).max(128),
    /** the terminal's own match score, when it gives one */
    score: z.number().min(0).max(1).optional(),
    liveness: z.boolean().optional(),
  })
  .strict();
export type TerminalReport = z.output<typeof TerminalReportSchema>;

export type ReportRefusal = "bad-signature" | "stale" | "replay" | "malformed";

export function signReport(secret: string, timestampS: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestampS}.`).update(body).digest("hex");
}

export function verifyReport(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowMs: number,
  toleranceS: number,
  seen: ReplayCache,
): TerminalReport {
  const refuse = (why: ReportRefusal) =>
    new StationError("FACE_BAD_WEBHOOK", "face", `face terminal report refused: ${why}`, { refusal: why });
  const ts = Number(headers.timestamp);
  if (!headers.timestamp || !Number.isInteger(ts) || !headers.signature) throw refuse("malformed");
  const want = Buffer.from(signReport(secret, ts, body), "hex");
  const got = Buffer.from(/^[0-9a-f]{64}$/i.test(headers.signature) ? headers.signature : "", "hex");
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw refuse("bad-signature");
  if (Math.abs(nowMs / 1000 - ts) > toleranceS) throw refuse("stale");
  if (!seen.add(headers.signature.toLowerCase(), ts * 1000, nowMs, toleranceS * 1000)) throw refuse("replay");
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw refuse("malformed");
  }
  const r = TerminalReportSchema.safeParse(raw);
  if (!r.success) throw refuse("malformed");
  return r.data;
}

/** Signatures seen inside the window; older ones are forgotten (they would be stale anyway). */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly max = 10_000) {}

  /** false when the signature was already seen */
  add(signature: string, atMs: number, nowMs: number, windowMs: number): boolean {
    for (const [s, t] of this.seen) {
      if (nowMs - t <= windowMs && this.seen.size < this.max) break;
      this.seen.delete(s);
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, atMs);
    return true;
  }
}
