import type { Logger } from "pino";
import type { Clock } from "../../device/ports/clock.ts";
import type { RestartState } from "../persist/restart-state.ts";
import type { PersistedQuarantine } from "../persist/station-state-file.ts";
import type { Quarantined } from "./cabinet-store.ts";

/** a slot's key in station-state.json's quarantines */
const KEY = "cabinet/slot-";

/**
 * The cabinet's quarantined slots: an abnormal battery stays out of service until it is
 * released, across restarts (station-state.json, beside the station's other quarantines).
 */
export class SlotQuarantines {
  private list: Quarantined[] = [];
  private restored = false;

  constructor(
    private readonly subsystem: string,
    private readonly restart: RestartState | undefined,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    restart?.track(() => ({ quarantines: this.persisted() }));
  }

  /**
   * At start: what station-state.json kept, and what an earlier version wrote in the swap file
   * (`legacy`, carried over; the next save moves it).
   */
  restore(legacy: readonly Quarantined[]): void {
    const out = new Map<number, Quarantined>(legacy.map((q) => [q.slot, q]));
    for (const [key, q] of Object.entries(this.restart?.restoredQuarantines(this.subsystem) ?? {})) {
      const slot = Number(key.slice(KEY.length));
      if (!key.startsWith(KEY) || !Number.isInteger(slot)) continue;
      out.set(slot, {
        slot,
        batteryId: q.item ?? "",
        reason: q.reason,
        since: q.since,
        ...(q.detail ? { detail: q.detail } : {}),
      });
    }
    this.list = [...out.values()];
    for (const q of this.list)
      this.log.warn(
        { slot: q.slot, batteryId: q.batteryId, reason: q.reason, since: q.since },
        "slot still quarantined from before the restart",
      );
    this.restored = true;
    if (legacy.length > 0) this.restart?.changed();
  }

  get slots(): number[] {
    return this.list.map((q) => q.slot);
  }

  find(slot: number): Quarantined | undefined {
    return this.list.find((q) => q.slot === slot);
  }

  add(q: Omit<Quarantined, "since">): void {
    this.list = [...this.list, { ...q, since: new Date(this.clock.now()).toISOString() }];
    this.restart?.changed();
  }

  remove(slot: number): Quarantined | undefined {
    const q = this.find(slot);
    if (!q) return undefined;
    this.list = this.list.filter((x) => x !== q);
    this.restart?.changed();
    return q;
  }

  /** Its part of station-state.json: until start has restored it, what was read. */
  private persisted(): Record<string, PersistedQuarantine> {
    if (!this.restored) return this.restart?.restoredQuarantines(this.subsystem) ?? {};
    const now = new Date(this.clock.now()).toISOString();
    return Object.fromEntries(
      this.list.map((q) => [
        `${KEY}${q.slot}`,
        {
          subsystem: this.subsystem,
          reason: q.reason,
          since: q.since ?? now,
          item: q.batteryId,
          ...(q.detail ? { detail: q.detail } : {}),
        },
      ]),
    );
  }
}
