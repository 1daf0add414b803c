import type { Alarm } from "../contract/alarm-events.ts";
import type { EventPayload, StationEvent } from "../contract/events.ts";
import type { EventBus, GatedType } from "../events/event-bus.ts";

export interface ActiveAlarm {
  alarm: Alarm;
  source?: string;
  since: string;
  detail?: string;
}

const keyOf = (alarm: string, source: string | undefined) => `${alarm}/${source ?? ""}`;

/**
 * The alarms active now, kept from the alarm.raised / alarm.cleared events; `state.alarms` shows
 * it. It also keeps the pairs honest (docs/mqtt-contract.md: every alarm.raised is followed by
 * its alarm.cleared, across restarts too):
 *
 * - a raise of an alarm already active, and a clear of one that is not, never reach the bus;
 * - alarms active before a restart are restored (quietly: they were raised then); one raised
 *   again while the station starts is the same alarm and is not raised twice; `settle()`, once
 *   every subsystem has started, clears the ones nobody confirmed. A subsystem that can only
 *   confirm later (a reader reports offline after its attach grace) `adopt()`s its alarm and
 *   clears it itself when the condition ends.
 */
export class AlarmBoard {
  private readonly active = new Map<string, ActiveAlarm>();
  /** restored and not yet confirmed by a raise or adopted */
  private readonly unconfirmed = new Set<string>();

  /** Gate and observe `bus`; returns the undo. */
  attach(bus: EventBus): () => void {
    const offGate = bus.addGate((type, payload) => this.admit(type, payload));
    const offSink = bus.subscribe((e) => this.observe(e));
    return () => {
      offGate();
      offSink();
    };
  }

  restore(alarms: readonly ActiveAlarm[]): void {
    for (const a of alarms) {
      const key = keyOf(a.alarm, a.source);
      this.active.set(key, { ...a });
      this.unconfirmed.add(key);
    }
  }

  /** A subsystem takes over a restored alarm: it stays active until that subsystem clears it. */
  adopt(alarm: Alarm, source?: string): boolean {
    const key = keyOf(alarm, source);
    this.unconfirmed.delete(key);
    return this.active.has(key);
  }

  /** Clear every restored alarm nobody confirmed while the station started. */
  settle(bus: EventBus): void {
    const stale = [...this.unconfirmed];
    this.unconfirmed.clear();
    for (const key of stale) {
      const a = this.active.get(key);
      if (a)
        bus.emit("alarm.cleared", {
          alarm: a.alarm,
          ...(a.source === undefined ? {} : { source: a.source }),
        });
    }
  }

  admit(type: GatedType, payload: EventPayload<GatedType>): boolean {
    const key = keyOf(payload.alarm, payload.source);
    if (type === "alarm.cleared") return this.active.has(key);
    if (!this.active.has(key)) return true;
    this.unconfirmed.delete(key);
    return false;
  }

  observe(event: StationEvent): void {
    if (event.type !== "alarm.raised" && event.type !== "alarm.cleared") return;
    const key = keyOf(event.alarm, event.source);
    this.unconfirmed.delete(key);
    if (event.type === "alarm.cleared") {
      this.active.delete(key);
      return;
    }
    this.active.set(key, {
      alarm: event.alarm,
      since: event.ts,
      ...(event.source === undefined ? {} : { source: event.source }),
      ...(event.detail === undefined ? {} : { detail: event.detail }),
    });
  }

  list(): ActiveAlarm[] {
    return [...this.active.values()];
  }

  has(alarm: Alarm, source?: string): boolean {
    return this.active.has(keyOf(alarm, source));
  }
}
