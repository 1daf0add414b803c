import type { Logger } from "pino";
import type { Clock } from "../../device/ports/clock.ts";
import {
  EMPTY_STATION_STATE,
  type PersistedStationState,
  type StationStateFile,
} from "./station-state-file.ts";

type Part = () => Partial<PersistedStationState>;

/**
 * What this station must remember across a restart (station-state-file.ts holds the file): read
 * once before the subsystems start, so each can pick up its part (`restored`), and written
 * whenever a part changes. Each owner `track()`s its part; `changed()` saves after the current
 * turn of the event loop — never in the middle of a door step, so a fire release drives the
 * relay before the fsyncs — and only when the content differs from the last save.
 */
export class RestartState {
  private restoredState: PersistedStationState = EMPTY_STATION_STATE;
  private readonly parts: Part[] = [];
  private lastSaved: string | undefined;
  private scheduled = false;
  /** saves the disk refused (the log has each) */
  saveFailures = 0;
  /** entries or files that could not be read back at start */
  loadProblems = 0;

  constructor(
    private readonly file: StationStateFile,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  load(): PersistedStationState {
    const { state, problems } = this.file.load();
    for (const p of problems) {
      this.loadProblems++;
      this.log.error({ code: p.code, err: String(p.details.cause ?? "") }, p.describe());
    }
    this.restoredState = state;
    this.lastSaved = JSON.stringify(state);
    if (this.lastSaved !== JSON.stringify(EMPTY_STATION_STATE)) {
      this.log.info(
        {
          fire: state.fire,
          alarms: state.alarms.length,
          lockouts: Object.keys(state.lockouts).length,
          quarantines: Object.keys(state.quarantines).length,
        },
        "restored what the last run left",
      );
    }
    return state;
  }

  get restored(): PersistedStationState {
    return this.restoredState;
  }

  /** The quarantines `subsystem` left at the last run, by key. */
  restoredQuarantines(subsystem: string): Record<string, PersistedStationState["quarantines"][string]> {
    return Object.fromEntries(
      Object.entries(this.restoredState.quarantines).filter(([, q]) => q.subsystem === subsystem),
    );
  }

  track(part: Part): () => void {
    this.parts.push(part);
    return () => {
      const i = this.parts.indexOf(part);
      if (i >= 0) this.parts.splice(i, 1);
    };
  }

  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.saveNow();
    });
  }

  current(): PersistedStationState {
    let fire: PersistedStationState["fire"] = "off";
    const alarms: PersistedStationState["alarms"][number][] = [];
    const lockouts: Record<string, PersistedStationState["lockouts"][string]> = {};
    const quarantines: Record<string, PersistedStationState["quarantines"][string]> = {};
    for (const part of this.parts) {
      const p = part();
      if (p.fire !== undefined) fire = p.fire;
      if (p.alarms) alarms.push(...p.alarms);
      Object.assign(lockouts, p.lockouts);
      Object.assign(quarantines, p.quarantines);
    }
    return { fire, alarms, lockouts, quarantines };
  }

  /** Synchronous and durable; a refused write is logged and counted, never thrown at the door. */
  saveNow(): void {
    const state = this.current();
    const text = JSON.stringify(state);
    if (text === this.lastSaved) return;
    try {
      this.file.save(state, new Date(this.clock.now()));
      this.lastSaved = text;
    } catch (err) {
      this.saveFailures++;
      this.log.error({ err, failures: this.saveFailures }, "could not save the station state");
    }
  }
}
