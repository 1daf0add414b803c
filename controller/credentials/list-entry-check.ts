import type { ListEntry } from "../contract/command-wire.ts";

export type ListApplyCode =
  | "LIST_INCOMPLETE"
  | "LIST_GAP"
  | "LIST_STALE"
  | "LIST_HASH_MISMATCH"
  | "LIST_DUPLICATE"
  | "LIST_INVALID"
  | "LIST_KEY_UNKNOWN"
  | "LIST_KEY_MISMATCH";

export class ListApplyError extends Error {
  constructor(
    readonly code: ListApplyCode,
    message: string,
  ) {
    super(message);
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const ROLES = new Set(["worker", "technician", "admin"]);
const STATUSES = new Set(["active", "blocked", "lost"]);
const KEYS = new Set([
  "credential",
  "personId",
  "role",
  "status",
  "validFrom",
  "validUntil",
  "schedule",
  "secondFactor",
]);

const epochMs = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);
const text = (v: unknown, max: number) => typeof v === "string" && v.length >= 1 && v.length <= max;

/**
 * One staged entry, checked by hand in the apply's hot loop: the same rules as `ListEntrySchema`
 * (controller/contract/command-wire.ts, which the intake already applied with its error paths),
 * at a twentieth of zod's cost per entry over a million entries (docs/design-notes.md). A
 * property test holds the two to the same verdicts. Defaults are filled in as zod fills them.
 */
export function checkedEntry(raw: unknown, index: number): ListEntry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid(index, "not an object");
  const e = raw as Record<string, unknown>;
  for (const k in e) if (!KEYS.has(k)) throw invalid(index, `unknown field ${k}`);
  const role = e.role === undefined ? "worker" : e.role;
  const status = e.status === undefined ? "active" : e.status;
  const secondFactor = e.secondFactor === undefined ? false : e.secondFactor;
  if (typeof e.credential !== "string" || !HEX64.test(e.credential)) throw invalid(index, "credential");
  if (!text(e.personId, 128)) throw invalid(index, "personId");
  if (typeof role !== "string" || !ROLES.has(role)) throw invalid(index, "role");
  if (typeof status !== "string" || !STATUSES.has(status)) throw invalid(index, "status");
  if (!epochMs(e.validFrom) || !epochMs(e.validUntil)) throw invalid(index, "validFrom/validUntil");
  if (e.schedule !== undefined && !text(e.schedule, 64)) throw invalid(index, "schedule");
  if (typeof secondFactor !== "boolean") throw invalid(index, "secondFactor");
  return {
    credential: e.credential,
    personId: e.personId as string,
    role: role as ListEntry["role"],
    status: status as ListEntry["status"],
    ...(e.validFrom === undefined ? {} : { validFrom: e.validFrom as number }),
    ...(e.validUntil === undefined ? {} : { validUntil: e.validUntil as number }),
    ...(e.schedule === undefined ? {} : { schedule: e.schedule as string }),
    secondFactor,
  };
}

function invalid(index: number, what: string): ListApplyError {
  return new ListApplyError("LIST_INVALID", `staged entry ${index}: ${what}`);
}
