import type { Clock } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { EventPayload, EventType, StationEvent, TimeQuality } from "../contract/events.ts";
import { uuidv7 } from "./uuidv7.ts";

/**
 * Stamps every event with its identity (id, seq, bootId, ts) and hands it to the sinks
 * (MQTT, console, log). A sink that throws must not stop the others or the door.
 */
export class EventBus {
  private readonly sinks = new Listeners<StationEvent>();
  private seq = 0;

  constructor(
    private readonly stationId: string,
    private readonly bootId: string,
    private readonly clock: Clock,
    private readonly onSinkError: (err: unknown, event: StationEvent) => void,
    private readonly timeQuality: () => TimeQuality = () => "unknown",
  ) {}

  emit<T extends EventType>(type: T, payload: EventPayload<T>): StationEvent<T> {
    const now = this.clock.now();
    const event = {
      id: uuidv7(now),
      seq: ++this.seq,
      bootId: this.bootId,
      ts: new Date(now).toISOString(),
      timeQuality: this.timeQuality(),
      stationId: this.stationId,
      type,
      ...payload,
    } as StationEvent<T>;
    this.sinks.emit(event);
    return event;
  }

  subscribe(sink: (event: StationEvent) => void): () => void {
    return this.sinks.add((event) => {
      try {
        sink(event);
      } catch (err) {
        this.onSinkError(err, event);
      }
    });
  }

  /**
   * Number on after `seq` (the journal's last seq), so seq stays gap-free across restarts.
   * Called before the first event of this boot; it never moves the numbering backwards.
   */
  resumeAfter(seq: number): void {
    if (seq > this.seq) this.seq = seq;
  }

  get lastSeq(): number {
    return this.seq;
  }
}
