/**
 * Login attempts: a rate limit per client address and a lockout per user name, as a pure
 * machine (state in, verdict and effects out) so the rules are a table of cases.
 *
 * Why both: the rate limit keeps one client from guessing fast (and from making argon2 burn the
 * CPU the door needs); the lockout stops slow guessing spread over many addresses. A lockout is
 * a security event for the journal. Locking the technician out is the price; it ends by itself
 * after `lockoutMs`, and the control socket (root or the service user) still works meanwhile.
 */
export interface ThrottlePolicy {
  /** consecutive failures for one name before it is locked */
  readonly maxFailures: number;
  /** how long a locked name stays locked */
  readonly lockoutMs: number;
  /** failures older than this are forgotten */
  readonly failureWindowMs: number;
  /** attempts per address per minute, whatever their outcome */
  readonly attemptsPerMinute: number;
  /** names and addresses tracked at most (the oldest are forgotten first) */
  readonly maxTracked: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  maxFailures: 5,
  lockoutMs: 5 * 60_000,
  failureWindowMs: 15 * 60_000,
  attemptsPerMinute: 10,
  maxTracked: 1000,
};

interface NameEntry {
  readonly failures: number;
  readonly firstFailureAt: number;
  readonly lockedUntil?: number;
}

export interface ThrottleState {
  readonly names: Readonly<Record<string, NameEntry>>;
  /** attempt times per address within the last minute */
  readonly addrs: Readonly<Record<string, readonly number[]>>;
}

export const EMPTY_THROTTLE: ThrottleState = { names: {}, addrs: {} };

export type AttemptVerdict =
  | { readonly allow: true }
  | { readonly allow: false; readonly why: "rate-limited" | "locked"; readonly retryAfterMs: number };

const MINUTE = 60_000;

/** May this attempt be checked at all? Counts it against the address either way. */
export function attempt(
  s: ThrottleState,
  user: string,
  addr: string,
  now: number,
  p: ThrottlePolicy = DEFAULT_THROTTLE,
): { state: ThrottleState; verdict: AttemptVerdict } {
  const recent = (s.addrs[addr] ?? []).filter((t) => now - t < MINUTE);
  const addrs = cap({ ...s.addrs, [addr]: [...recent, now].slice(-p.attemptsPerMinute - 1) }, p.maxTracked);
  const state = { ...s, addrs };
  const first = recent[0];
  if (recent.length >= p.attemptsPerMinute && first !== undefined) {
    return { state, verdict: { allow: false, why: "rate-limited", retryAfterMs: MINUTE - (now - first) } };
  }
  const lockedUntil = s.names[user]?.lockedUntil;
  if (lockedUntil !== undefined && now < lockedUntil) {
    return { state, verdict: { allow: false, why: "locked", retryAfterMs: lockedUntil - now } };
  }
  return { state, verdict: { allow: true } };
}

export type ResultEffect = {
  readonly type: "locked-out";
  readonly failures: number;
  readonly lockedForMs: number;
};

/** The password was checked: a success clears the name, a failure counts and may lock it. */
export function result(
  s: ThrottleState,
  user: string,
  ok: boolean,
  now: number,
  p: ThrottlePolicy = DEFAULT_THROTTLE,
): { state: ThrottleState; effects: ResultEffect[] } {
  const { [user]: old, ...others } = s.names;
  if (ok) return { state: { ...s, names: others }, effects: [] };
  const fresh = !old || now - old.firstFailureAt >= p.failureWindowMs || (old.lockedUntil ?? now + 1) <= now;
  const failures = fresh ? 1 : old.failures + 1;
  const firstFailureAt = fresh ? now : old.firstFailureAt;
  if (failures >= p.maxFailures) {
    const entry = { failures, firstFailureAt, lockedUntil: now + p.lockoutMs };
    return {
      state: { ...s, names: cap({ ...others, [user]: entry }, p.maxTracked) },
      effects: [{ type: "locked-out", failures, lockedForMs: p.lockoutMs }],
    };
  }
  return {
    state: { ...s, names: cap({ ...others, [user]: { failures, firstFailureAt } }, p.maxTracked) },
    effects: [],
  };
}

/** Insertion order is age order: drop the oldest beyond the cap. */
function cap<T>(rec: Record<string, T>, max: number): Record<string, T> {
  const keys = Object.keys(rec);
  if (keys.length <= max) return rec;
  const out: Record<string, T> = {};
  for (const k of keys.slice(keys.length - max)) out[k] = rec[k] as T;
  return out;
}
