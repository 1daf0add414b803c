import type { Logger } from "pino";
import type { PersistedQuarantine } from "../persist/station-state-file.ts";
import { FAULT_REASONS, type FaultReason } from "./outlet-machine.ts";
import type { Outlet } from "./outlet-state.ts";

/** an outlet's key in station-state.json's quarantines */
const KEY = "outlet/";

/** The outlets' part of station-state.json: each quarantined outlet, with when it began. */
export function persistedOutletQuarantines(
  subsystem: string,
  outlets: ReadonlyMap<string, Outlet>,
  since: ReadonlyMap<string, string>,
  nowIso: string,
): Record<string, PersistedQuarantine> {
  const out: Record<string, PersistedQuarantine> = {};
  for (const [id, o] of outlets) {
    const q = o.state.quarantine;
    if (q)
      out[`${KEY}${id}`] = {
        subsystem,
        reason: q.reason,
        since: since.get(id) ?? nowIso,
        detail: q.detail,
      };
  }
  return out;
}

/** Outlets quarantined when the last run ended stay so, whatever their meter says now. */
export function restoreOutletQuarantines(
  restored: Readonly<Record<string, PersistedQuarantine>>,
  outlets: ReadonlyMap<string, Outlet>,
  since: Map<string, string>,
  atMs: number,
  log: Logger,
): void {
  for (const [key, q] of Object.entries(restored)) {
    if (!key.startsWith(KEY)) continue;
    const id = key.slice(KEY.length);
    const o = outlets.get(id);
    if (!o) {
      log.warn({ outlet: id }, "a quarantined outlet is no longer configured: its quarantine is dropped");
      continue;
    }
    const reason = (FAULT_REASONS as readonly string[]).includes(q.reason)
      ? (q.reason as FaultReason)
      : "meter-lost";
    o.state = {
      ...o.state,
      mode: "quarantined",
      quarantine: { reason, atMs, detail: q.detail ?? q.reason },
    };
    since.set(id, q.since);
    log.warn({ outlet: id, reason, since: q.since }, "outlet still quarantined from before the restart");
  }
}
