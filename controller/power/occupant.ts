import type { Clock } from "../../device/ports/clock.ts";
import type { EventBus } from "../events/event-bus.ts";

export interface Person {
  readonly credential: string;
  readonly personId?: string;
}

/**
 * "The person inside": whoever the door let in last, for as long as the window allows. Outlets and
 * the cabinet bind a session to them when it is started without a credential (a button, the
 * console). It learns from the bus, so it needs nothing from the entrance but its events.
 */
export class Occupant {
  private last: (Person & { atMs: number }) | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  start(): void {
    this.unsubscribe = this.bus.subscribe((e) => {
      if (e.type === "access.granted" && !e.outlet)
        this.last = { credential: e.credential, personId: e.personId, atMs: this.clock.monotonic() };
    });
  }

  stop(): void {
    this.unsubscribe?.();
  }

  current(): Person | undefined {
    const l = this.last;
    if (!l || this.clock.monotonic() - l.atMs > this.windowMs) return undefined;
    return { credential: l.credential, ...(l.personId ? { personId: l.personId } : {}) };
  }
}
