/**
 * The occupancy figure the capacity rule reads. The occupancy subsystem (door events, beam
 * counter, radar, PIR) fills it; until then it is unknown, and an unknown figure never refuses
 * anyone: capacity is a comfort rule, the door must not fail closed on a missing sensor.
 */
export interface OccupancyFigure {
  current(): number | undefined;
}

export const UNKNOWN_OCCUPANCY: OccupancyFigure = { current: () => undefined };
