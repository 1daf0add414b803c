import type { Clock } from "../../device/ports/clock.ts";
import { Listeners } from "../../device/ports/listeners.ts";
import type { EventPayload, EventType, StationEvent, TimeQuality } from "../contract/events.ts";
import { uuidv7 } from "./uuidv7.ts";

/** The event types a gate may refuse: the alarm pairs (alarm-board.ts keeps them honest). */
export type GatedType = "alarm.raised" | "alarm.cleared";
export type Gate = (type: GatedType, payload: EventPayload<GatedType>) => boolean;
type Emitted<T extends EventType> = T extends GatedType ? StationEvent<T> | undefined : StationEvent<T>;

const isGated = (type: EventType): type is GatedType => type === "alarm.raised" || type === "alarm.cleared";

/**
 * Stamps every event with its identity (id, seq, bootId, ts) and hands it to the sinks
 * (MQTT, console, log). A sink that throws must not stop the others or the door.
 */
export class EventBus {
  private readonly sinks = new Listeners<StationEvent>();
  private readonly gates: Gate[] = [];
  private seq = 0;

  constructor(
    private readonly stationId: string,
    private readonly bootId: string,
    private readonly clock: Clock,
    private readonly onSinkError: (err: unknown, event: StationEvent) => void,
    private readonly timeQuality: () => TimeQuality = () => "unknown",
  ) {}

  /** Returns the event; an alarm event a gate refused is undefined (it has no seq and goes nowhere). */
  emit<T extends EventType>(type: T, payload: EventPayload<T>): Emitted<T> {
    if (isGated(type)) {
      for (const gate of this.gates) {
        if (!gate(type, payload as EventPayload<GatedType>)) return undefined as Emitted<T>;
      }
    }
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
    return event as Emitted<T>;
  }

  /**
   * A gate sees every alarm event before it is numbered and may refuse it: the alarm board
   * refuses a raise of an alarm already active and a clear of one that is not. Returns its removal.
   */
  addGate(gate: Gate): () => void {
    this.gates.push(gate);
    return () => {
      const i = this.gates.indexOf(gate);
      if (i >= 0) this.gates.splice(i, 1);
    };
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
