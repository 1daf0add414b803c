import { StationError } from "../../config/errors.ts";
import type { FirmataBoardPeer } from "../firmata/firmata-board.ts";
import type { Ld2410Peer } from "../ld2410/radar-peer.ts";
import type { SimSerialWire } from "../serial/sim-serial.ts";
import type { SimDoorway } from "./doorway-sim.ts";

export interface OccupancySimSnapshot {
  people: number;
  still: number;
  ghost: boolean;
  latched: boolean;
  radarPlugged: boolean | undefined;
  boardHung: boolean | undefined;
}

/**
 * What a person (or the console, or a test) can do inside a simulated station: walk in through
 * the beams into the radar's field, stand still, walk out, and make the radar misbehave.
 */
export class OccupancySim {
  private radarPlugged = true;

  constructor(
    readonly doorway: SimDoorway | undefined,
    readonly radar: Ld2410Peer | undefined,
    private readonly radarWire: SimSerialWire | undefined,
    /** the simulated I/O board: set `analog[ch]`, read `pins` */
    readonly board?: FirmataBoardPeer | undefined,
  ) {}

  walkIn(people = 1): void {
    this.doorway?.walk("in", people, { gapMs: 300 });
    for (let i = 0; i < people; i++) this.radar?.walkIn(150 + 60 * i);
  }

  standStill(): void {
    this.radar?.standStill();
  }

  move(): void {
    this.radar?.move();
    this.doorway?.motion();
  }

  walkOut(people = 1): void {
    this.doorway?.walk("out", people, { gapMs: 300 });
    for (let i = 0; i < people; i++) this.radar?.walkOut();
  }

  ghost(on: boolean): void {
    this.needRadar().scene.ghost = on;
  }

  latch(on: boolean): void {
    this.needRadar().scene.latched = on;
  }

  garbage(bytesPerFrame: number): void {
    this.needRadar().scene.garbagePerFrame = bytesPerFrame;
  }

  async unplugRadar(): Promise<void> {
    this.needRadar();
    this.radarPlugged = false;
    await this.radarWire?.unplug();
  }

  async replugRadar(): Promise<void> {
    this.needRadar();
    await this.radarWire?.replug();
    this.radarPlugged = true;
  }

  /** The I/O board hangs (port open, nothing answered) or answers again. */
  hangBoard(on: boolean): void {
    if (!this.board) {
      throw new StationError("SIM_BAD_COMMAND", "sim", "this station has no simulated I/O board", {
        hint: "set occupancy.board.port: simulated in the station file",
      });
    }
    this.board.hang(on);
  }

  snapshot(): OccupancySimSnapshot {
    const people = this.radar?.scene.people ?? [];
    return {
      people: people.length,
      still: people.filter((p) => !p.moving).length,
      ghost: this.radar?.scene.ghost ?? false,
      latched: this.radar?.scene.latched ?? false,
      radarPlugged: this.radar ? this.radarPlugged : undefined,
      boardHung: this.board?.isHung,
    };
  }

  private needRadar(): Ld2410Peer {
    if (!this.radar) {
      throw new StationError("SIM_BAD_COMMAND", "sim", "this station has no simulated radar", {
        hint: "set occupancy.radar.port: simulated in the station file",
      });
    }
    return this.radar;
  }
}
