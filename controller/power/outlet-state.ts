import type { OutletConfig } from "../../config/sections/power.ts";
import type { Clock } from "../../device/ports/clock.ts";
import type { GpioOutput } from "../../device/ports/gpio.ts";
import type { StationState } from "../contract/state.ts";
import { type OutletLimits, type OutletState, relayOn } from "./outlet-machine.ts";

/** One outlet as the subsystem holds it: its machine's state and its meter's last reading. */
export interface Outlet {
  cfg: OutletConfig;
  limits: OutletLimits;
  relay: GpioOutput | undefined;
  state: OutletState;
  meterOnline: boolean;
  powerW: number;
  currentA: number;
  energyWh: number;
}

/**
 * The outlets' slice of `state`. `quarantinedSince`: when each quarantine began, wall clock (it
 * may be from before a restart, when monotonic time was another process's).
 */
export function outletsState(
  outlets: ReadonlyMap<string, Outlet>,
  clock: Clock,
  quarantinedSince: ReadonlyMap<string, string>,
): NonNullable<StationState["outlets"]> {
  const iso = (monoMs: number) => new Date(clock.now() - (clock.monotonic() - monoMs)).toISOString();
  const out: NonNullable<StationState["outlets"]> = {};
  for (const [id, o] of outlets) {
    const s = o.state.session;
    const q = o.state.quarantine;
    out[id] = {
      kind: o.cfg.kind,
      state: o.state.mode,
      relay: relayOn(o.state),
      meterOnline: o.meterOnline,
      powerW: o.powerW,
      currentA: o.currentA,
      energyWh: o.energyWh,
      stationCut: o.state.stationCut,
      outsideSchedule: o.state.scheduleOff,
      ...(s
        ? {
            session: {
              ...(s.personId ? { personId: s.personId } : {}),
              since: iso(s.startedAtMs),
              energyWh: s.energyWh,
              source: s.source,
            },
          }
        : {}),
      ...(q
        ? {
            quarantine: {
              reason: q.reason,
              detail: q.detail,
              since: quarantinedSince.get(id) ?? iso(q.atMs),
            },
          }
        : {}),
    };
  }
  return out;
}
