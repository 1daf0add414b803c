import type { z } from "zod";
import { StationEventSchema } from "../../controller/contract/event-schema.ts";
import { StateSchema, StatusSchema } from "../../controller/contract/state.ts";
import { TelemetrySchema } from "../../controller/contract/telemetry.ts";

/** What the consumer has to say about one incoming message. */
export type Notice =
  | {
      kind: "event";
      station: string;
      seq: number;
      type: string;
      replayed: boolean;
      event: Record<string, unknown>;
    }
  | { kind: "duplicate"; station: string; seq: number; id: string }
  | { kind: "gap"; station: string; from: number; to: number }
  | { kind: "gap-filled"; station: string; seq: number }
  | { kind: "gap-explained"; station: string; from: number; to: number; reason: string }
  | { kind: "out-of-order"; station: string; seq: number; id: string; highest: number }
  | { kind: "invalid"; topic: string; problems: string[] }
  | { kind: "status"; station: string; online: boolean; bootId: string }
  | { kind: "state"; station: string }
  | { kind: "telemetry"; station: string; backlog: number; dropped: number; reason: string };

export interface StationView {
  stationId: string;
  online: boolean | undefined;
  bootId: string | undefined;
  highestSeq: number;
  events: number;
  duplicates: number;
  replayed: number;
  invalid: number;
  /** seq ranges not (yet) received, oldest first */
  missing: { from: number; to: number }[];
  explainedDropped: number;
  lastType: string | undefined;
  door: string | undefined;
  journal: { health: string; backlog: number; dropped: number } | undefined;
}

const MAX_IDS = 200_000;
const MAX_RANGES = 1000;

/**
 * The reference consumer's brain: validates every message against the contract's zod schemas,
 * drops duplicates by `id`, and keeps per station the `seq` ranges it has not seen. Pure: the
 * MQTT side and the screen are elsewhere.
 */
export class TailConsumer {
  private readonly views = new Map<string, StationView>();
  /** ids seen, oldest first (a Map keeps insertion order): bounded memory */
  private readonly ids = new Map<string, number>();

  constructor(private readonly topicRoot = "waystation/v1") {}

  handle(topic: string, payload: Buffer | string): Notice[] {
    const rest = topic.startsWith(`${this.topicRoot}/`) ? topic.slice(this.topicRoot.length + 1) : undefined;
    const [stationId, kind, more] = rest?.split("/") ?? [];
    if (!stationId || !kind || more !== undefined) return [];
    let json: unknown;
    try {
      json = JSON.parse(typeof payload === "string" ? payload : payload.toString("utf8"));
    } catch {
      return [this.invalid(topic, stationId, ["not JSON"])];
    }
    switch (kind) {
      case "events":
        return this.onEvent(topic, stationId, json);
      case "status": {
        const r = StatusSchema.safeParse(json);
        if (!r.success) return [this.invalid(topic, stationId, problems(r.error))];
        const v = this.view(stationId);
        v.online = r.data.online;
        v.bootId = r.data.bootId;
        return [{ kind: "status", station: stationId, online: r.data.online, bootId: r.data.bootId }];
      }
      case "state": {
        const r = StateSchema.safeParse(json);
        if (!r.success) return [this.invalid(topic, stationId, problems(r.error))];
        const v = this.view(stationId);
        v.door = `${r.data.door.lock}/${r.data.door.leaf}`;
        v.journal = {
          health: r.data.journal.health,
          backlog: r.data.journal.backlog,
          dropped: r.data.journal.dropped,
        };
        return [{ kind: "state", station: stationId }];
      }
      case "telemetry": {
        const r = TelemetrySchema.safeParse(json);
        if (!r.success) return [this.invalid(topic, stationId, problems(r.error))];
        const v = this.view(stationId);
        const j = r.data.journal;
        v.journal = { health: j.health, backlog: j.backlog, dropped: j.dropped };
        return [
          {
            kind: "telemetry",
            station: stationId,
            backlog: j.backlog,
            dropped: j.dropped,
            reason: r.data.reason,
          },
        ];
      }
      default:
        return [];
    }
  }

  stations(): StationView[] {
    return [...this.views.values()].sort((a, b) => a.stationId.localeCompare(b.stationId));
  }

  private onEvent(topic: string, stationId: string, json: unknown): Notice[] {
    const r = StationEventSchema.safeParse(json);
    if (!r.success) return [this.invalid(topic, stationId, problems(r.error))];
    const e = r.data as { id: string; seq: number; type: string; replayed?: true } & Record<string, unknown>;
    const v = this.view(stationId);
    if (this.ids.has(e.id)) {
      v.duplicates++;
      return [{ kind: "duplicate", station: stationId, seq: e.seq, id: e.id }];
    }
    this.remember(e.id, e.seq);
    v.events++;
    v.lastType = e.type;
    if (e.replayed) v.replayed++;
    const out: Notice[] = [];
    if (v.highestSeq === 0 || e.seq === v.highestSeq + 1) {
      v.highestSeq = e.seq;
    } else if (e.seq > v.highestSeq + 1) {
      const gap = { from: v.highestSeq + 1, to: e.seq - 1 };
      v.missing.push(gap);
      if (v.missing.length > MAX_RANGES) v.missing.shift();
      v.highestSeq = e.seq;
      out.push({ kind: "gap", station: stationId, ...gap });
    } else if (this.fill(v, e.seq)) {
      out.push({ kind: "gap-filled", station: stationId, seq: e.seq });
    } else {
      out.push({ kind: "out-of-order", station: stationId, seq: e.seq, id: e.id, highest: v.highestSeq });
    }
    if (e.type === "journal.dropped") {
      const from = Number(e.fromSeq);
      const to = Number(e.toSeq);
      v.explainedDropped += Number(e.count);
      v.missing = subtract(v.missing, from, to);
      out.push({ kind: "gap-explained", station: stationId, from, to, reason: String(e.reason) });
    }
    out.push({
      kind: "event",
      station: stationId,
      seq: e.seq,
      type: e.type,
      replayed: e.replayed === true,
      event: e,
    });
    return out;
  }

  /** A late arrival inside a known gap: take it out of the gap. */
  private fill(v: StationView, seq: number): boolean {
    const i = v.missing.findIndex((g) => g.from <= seq && seq <= g.to);
    const g = v.missing[i];
    if (!g) return false;
    const parts = [
      ...(g.from <= seq - 1 ? [{ from: g.from, to: seq - 1 }] : []),
      ...(seq + 1 <= g.to ? [{ from: seq + 1, to: g.to }] : []),
    ];
    v.missing.splice(i, 1, ...parts);
    return true;
  }

  private remember(id: string, seq: number): void {
    this.ids.set(id, seq);
    if (this.ids.size > MAX_IDS) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }

  private invalid(topic: string, stationId: string, list: string[]): Notice {
    this.view(stationId).invalid++;
    return { kind: "invalid", topic, problems: list };
  }

  private view(stationId: string): StationView {
    let v = this.views.get(stationId);
    if (!v) {
      v = {
        stationId,
        online: undefined,
        bootId: undefined,
        highestSeq: 0,
        events: 0,
        duplicates: 0,
        replayed: 0,
        invalid: 0,
        missing: [],
        explainedDropped: 0,
        lastType: undefined,
        door: undefined,
        journal: undefined,
      };
      this.views.set(stationId, v);
    }
    return v;
  }
}

/** The ranges less [from, to]. */
function subtract(ranges: { from: number; to: number }[], from: number, to: number) {
  return ranges.flatMap((g) => {
    if (g.to < from || g.from > to) return [g];
    return [
      ...(g.from < from ? [{ from: g.from, to: from - 1 }] : []),
      ...(g.to > to ? [{ from: to + 1, to: g.to }] : []),
    ];
  });
}

function problems(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`);
}

export function missingCount(v: StationView): number {
  return v.missing.reduce((n, g) => n + g.to - g.from + 1, 0);
}
