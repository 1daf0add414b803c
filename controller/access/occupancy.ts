/**
 * The occupancy figure the capacity rule reads. The occupancy subsystem (door events, beam
 * counter, radar, PIR) fills it; until then it is unknown, and an unknown figure never refuses
 * anyone: capacity is a comfort rule, the door must not fail closed on a missing sensor.
 */
export interface OccupancyFigure {
  current(): number | undefined;
  /** anti-passback by direction: this credential went in and has not come out */
  isInside?(credential: string): boolean;
  /** which way a reader lets people through (an exit reader: out); default in */
  readerDirection?(readerId: string): "in" | "out";
}

export const UNKNOWN_OCCUPANCY: OccupancyFigure = { current: () => undefined };
