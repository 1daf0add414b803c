import type { Logger } from "pino";
import {
  Command,
  decodeParameterList,
  encodeAck,
  encodeFirmware,
  encodeParameters,
  encodeReport,
  GATE_CM,
  GATE_COUNT,
  type RadarReport,
} from "../../device/ld2410/codec.ts";
import { Ld2410Parser } from "../../device/ld2410/parser.ts";
import type { ByteLink } from "../../device/ports/byte-link.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { DeviceEnd } from "../serial/device-end.ts";
import { PacedWire, uartCharMs } from "../serial/paced-wire.ts";

/** One person in the radar's field. */
export interface RadarPerson {
  distanceCm: number;
  moving: boolean;
}

/**
 * What the simulated module is doing: the state bag its behaviours read and scenarios change.
 * Each fault is one field: `ghost` (a fan or curtain: a weak moving target where nobody is),
 * `latched` (the module repeats one frame until restarted), `silent` (it stops reporting until
 * restarted), `garbagePerFrame` (noise bytes on the wire), `loseStillAfterMs` (a still person
 * fades out of the report after this long, as the real module does).
 */
export interface RadarScene {
  people: RadarPerson[];
  ghost: boolean;
  latched: boolean;
  silent: boolean;
  garbagePerFrame: number;
  loseStillAfterMs: number | undefined;
}

export interface RadarPeerOptions {
  /** ≈ 10 frames per second on the real module */
  periodMs: number;
  baudRate: number;
  restartMs: number;
  firmware: { major: number; minor: number };
  /** reopen the device end after it vanished (a pty that was replugged) */
  reopenMs: number;
}

export const RADAR_PEER_DEFAULTS: RadarPeerOptions = {
  periodMs: 100,
  baudRate: 256000,
  restartMs: 300,
  firmware: { major: 0x0107, minor: 0x22091615 },
  reopenMs: 100,
};

/**
 * A simulated HLK-LD2410 on the device end of a byte link: it streams report frames, answers the
 * configuration commands through the same codec the driver uses, and misbehaves on request.
 */
export class Ld2410Peer {
  readonly scene: RadarScene = {
    people: [],
    ghost: false,
    latched: false,
    silent: false,
    garbagePerFrame: 0,
    loseStillAfterMs: undefined,
  };
  readonly received: number[] = [];
  private readonly parser = new Ld2410Parser("module");
  private engineering = false;
  private configMode = false;
  private restartingUntil = 0;
  private frozen: Uint8Array | undefined;
  private stillSince = new Map<RadarPerson, number>();
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly end: DeviceEnd;
  private seed = 1;
  private maxGate = 8;
  private noOneS = 5;
  /** the module's UART: frames and ACKs leave at the baud rate, one after the other */
  private readonly wire: PacedWire;

  constructor(
    link: ByteLink,
    private readonly clock: Clock,
    private readonly opts: RadarPeerOptions = RADAR_PEER_DEFAULTS,
    private readonly log?: Logger,
  ) {
    this.end = new DeviceEnd(link, clock, opts.reopenMs, { onData: (c) => this.onBytes(c) });
    this.wire = new PacedWire((b) => this.end.send(b), clock, uartCharMs(opts.baudRate));
  }

  async start(): Promise<void> {
    this.running = true;
    await this.end.start();
    this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    this.wire.clear();
    await this.end.stop();
  }

  /** A person walks in and stays moving at `distanceCm`. */
  walkIn(distanceCm = 200): RadarPerson {
    const p = { distanceCm, moving: true };
    this.scene.people.push(p);
    return p;
  }

  standStill(person = this.scene.people.at(-1)): void {
    if (!person) return;
    person.moving = false;
    this.stillSince.set(person, this.clock.monotonic());
  }

  move(person = this.scene.people.at(-1)): void {
    if (!person) return;
    person.moving = true;
    this.stillSince.delete(person);
  }

  walkOut(person = this.scene.people.at(-1)): void {
    this.scene.people = this.scene.people.filter((p) => p !== person);
    if (person) this.stillSince.delete(person);
  }

  /** The report the module would send now (before faults). */
  currentReport(): RadarReport {
    const now = this.clock.monotonic();
    const lose = this.scene.loseStillAfterMs;
    const visible = this.scene.people.filter(
      (p) => p.moving || lose === undefined || now - (this.stillSince.get(p) ?? now) < lose,
    );
    const moving = visible.filter((p) => p.moving);
    const still = visible.filter((p) => !p.moving);
    // A ghost is a weak moving target at a fixed spot (a fan at 1.5 m).
    const ghost = this.scene.ghost ? [{ distanceCm: 150, moving: true }] : [];
    const mov = [...moving, ...ghost];
    const jitter = (base: number) => Math.max(0, Math.min(100, base + (this.random() % 7) - 3));
    const movingEnergy = mov.length ? jitter(moving.length ? 70 : 18) : 0;
    const stillEnergy = still.length ? jitter(45) : 0;
    const target =
      mov.length && still.length ? "both" : mov.length ? "moving" : still.length ? "still" : "none";
    const movingCm = mov[0]?.distanceCm ?? 0;
    const stillCm = still[0]?.distanceCm ?? 0;
    const gates = (people: RadarPerson[], energy: number) =>
      Array.from({ length: GATE_COUNT }, (_, g) =>
        people.some((p) => Math.floor(p.distanceCm / GATE_CM) === g) ? energy : jitter(4),
      );
    return {
      engineering: this.engineering,
      target,
      movingCm,
      movingEnergy,
      stillCm,
      stillEnergy,
      detectCm: Math.max(movingCm, stillCm),
      ...(this.engineering
        ? { movingGates: gates(mov, movingEnergy), stillGates: gates(still, stillEnergy) }
        : {}),
    };
  }

  private tick(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => this.tick(), this.opts.periodMs);
    const now = this.clock.monotonic();
    if (!this.end.isOpen) this.wire.clear();
    if (this.configMode || this.scene.silent || now < this.restartingUntil || !this.end.isOpen) return;
    // A module whose line is still busy with the last frame (a slow baud rate) skips a report.
    if (this.wire.queued > 0) return;
    let frame = encodeReport(this.currentReport());
    if (this.scene.latched) {
      this.frozen ??= frame;
      frame = this.frozen;
    }
    const noise = Array.from({ length: this.scene.garbagePerFrame }, () => this.random() & 0xff);
    this.send(Uint8Array.from([...noise, ...frame]));
  }

  private onBytes(chunk: Uint8Array): void {
    for (const f of this.parser.push(chunk)) {
      if (f.kind !== "command") continue;
      this.received.push(f.command);
      const data = this.answer(f.command, f.value);
      if (data) this.ack(f.command, 0, data);
    }
  }

  /** The ACK data for a command, or undefined when the module stays silent. */
  private answer(command: number, value: Uint8Array): readonly number[] | undefined {
    // Outside config mode the module ignores everything but enable-config.
    if (!this.configMode && command !== Command.enableConfig) return undefined;
    if (this.clock.monotonic() < this.restartingUntil) return undefined;
    switch (command) {
      case Command.enableConfig:
        this.configMode = true;
        return [1, 0, 64, 0];
      case Command.endConfig:
        this.configMode = false;
        return [];
      case Command.engineeringOn:
        this.engineering = true;
        return [];
      case Command.engineeringOff:
        this.engineering = false;
        return [];
      case Command.readFirmware:
        return encodeFirmware(this.opts.firmware.major, this.opts.firmware.minor);
      case Command.setMaxGatesAndNoOne: {
        const p = decodeParameterList(value);
        this.maxGate = p.get(0) ?? this.maxGate;
        this.noOneS = p.get(2) ?? this.noOneS;
        return [];
      }
      case Command.readParameters:
        return encodeParameters({
          maxGate: 8,
          maxMovingGate: this.maxGate,
          maxStillGate: this.maxGate,
          movingSensitivity: new Array(GATE_COUNT).fill(40),
          stillSensitivity: new Array(GATE_COUNT).fill(40),
          noOneS: this.noOneS,
        });
      case Command.restart:
      case Command.factoryReset:
        // A restart clears the module's faults: that is why the driver restarts it.
        this.configMode = false;
        this.engineering = false;
        this.scene.latched = false;
        this.scene.silent = false;
        this.frozen = undefined;
        this.restartingUntil = this.clock.monotonic() + this.opts.restartMs;
        this.log?.info("simulated radar restarted");
        // The ACK goes out before the reboot silences the module.
        this.ack(command, 0);
        return undefined;
      default:
        return [];
    }
  }

  private ack(command: number, status: number, data: readonly number[] = []): void {
    this.send(encodeAck(command, status, data));
  }

  private send(bytes: Uint8Array): void {
    this.wire.send(bytes);
  }

  /** A small deterministic PRNG (xorshift): scenarios replay the same energies. */
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}
