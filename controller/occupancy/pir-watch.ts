/**
 * Whether the PIR can be believed, judged against the radar and the beam (pure; fusion.ts calls
 * it). A PIR has two ways to fail that its own output cannot show:
 *
 * - **stuck active** (a shorted output, a heater vent in its view, a spider on the lens): it reads
 *   motion for `stuckMs` on end while the trusted radar has seen nobody for as long — or, without
 *   a radar, nobody is counted in and the door has been shut that long;
 * - **stuck quiet** (dead, unplugged with a pull-down, masked): since it last saw motion, the beam
 *   counted `quietMoves` people through the door, or the radar began seeing movement that many
 *   times, over at least `stuckMs`.
 *
 * Either makes it `suspect` (fusion stops trusting it); it is good again when it does the opposite
 * of its fault (reads clear, or sees motion). With neither radar nor beam nothing can contradict a
 * PIR, and it stays `good`.
 */
export interface PirWatch {
  /** since when the PIR has read active, undefined while clear */
  readonly activeSinceMs: number | undefined;
  /** movement the other sensors saw since the PIR last did: how many times, and the first */
  readonly quietMoves: number;
  readonly quietSinceMs: number | undefined;
}

export const PIR_WATCH_START: PirWatch = { activeSinceMs: undefined, quietMoves: 0, quietSinceMs: undefined };

export interface PirWatchSettings {
  readonly stuckMs: number;
  /** movements seen by others, with the PIR quiet, that make it suspect */
  readonly quietMoves: number;
}

/** What the other sensors say, at the moment of the check. */
export interface PirEvidence {
  readonly nowMs: number;
  /** a trusted radar is fitted */
  readonly radar: boolean;
  /** when the trusted radar last reported anyone (undefined: not since start) */
  readonly radarLastPresentMs: number | undefined;
  readonly radarPresent: boolean;
  /** a trusted beam pair is fitted */
  readonly beam: boolean;
  readonly counted: number;
  readonly doorOpen: boolean;
  readonly doorClosedSinceMs: number;
  readonly startedMs: number;
}

export function pirEdge(w: PirWatch, active: boolean, atMs: number): PirWatch {
  if (!active) return { ...w, activeSinceMs: undefined };
  return { activeSinceMs: w.activeSinceMs ?? atMs, quietMoves: 0, quietSinceMs: undefined };
}

/** Another sensor saw someone move (a beam passage, the radar starting to see movement). */
export function pirOthersMoved(w: PirWatch, atMs: number, pirActive: boolean): PirWatch {
  if (pirActive) return w;
  return { ...w, quietMoves: w.quietMoves + 1, quietSinceMs: w.quietSinceMs ?? atMs };
}

export type PirVerdict = { fault: "stuck-active" | "stuck-quiet"; detail: string } | undefined;

export function pirVerdict(w: PirWatch, e: PirEvidence, s: PirWatchSettings): PirVerdict {
  const span =
    s.stuckMs >= 60_000 ? `${Math.round(s.stuckMs / 60_000)} min` : `${Math.round(s.stuckMs / 1000)} s`;
  if (w.activeSinceMs !== undefined && e.nowMs - w.activeSinceMs >= s.stuckMs) {
    const since = e.nowMs - s.stuckMs;
    const radarSaysEmpty = e.radar && !e.radarPresent && (e.radarLastPresentMs ?? e.startedMs) <= since;
    const doorSaysEmpty =
      !e.radar && e.beam && e.counted === 0 && !e.doorOpen && e.doorClosedSinceMs <= since;
    if (radarSaysEmpty || doorSaysEmpty)
      return {
        fault: "stuck-active",
        detail: `reads motion for ${span} while the ${radarSaysEmpty ? "radar sees nobody" : "door count is zero and the door shut"}`,
      };
  }
  if (
    w.activeSinceMs === undefined &&
    w.quietSinceMs !== undefined &&
    w.quietMoves >= s.quietMoves &&
    e.nowMs - w.quietSinceMs >= s.stuckMs
  ) {
    return {
      fault: "stuck-quiet",
      detail: `no motion in ${span} while the ${e.beam ? "beam or radar" : "radar"} saw people move ${w.quietMoves} times`,
    };
  }
  return undefined;
}
