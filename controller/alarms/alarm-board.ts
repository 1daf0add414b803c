import type { Alarm } from "../contract/alarm-events.ts";
import type { StationEvent } from "../contract/events.ts";

export interface ActiveAlarm {
  alarm: Alarm;
  source?: string;
  since: string;
  detail?: string;
}

/** The alarms active now, kept from the alarm.raised / alarm.cleared events; `state.alarms` shows it. */
export class AlarmBoard {
  private readonly active = new Map<string, ActiveAlarm>();

  observe(event: StationEvent): void {
    if (event.type !== "alarm.raised" && event.type !== "alarm.cleared") return;
    const key = `${event.alarm}/${event.source ?? ""}`;
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
    return this.active.has(`${alarm}/${source ?? ""}`);
  }
}
