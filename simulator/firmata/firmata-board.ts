import type { Logger } from "pino";
import { encode, type FirmataMessage, FirmataParser, PinMode, Sysex } from "../../device/firmata/codec.ts";
import type { ByteLink } from "../../device/ports/byte-link.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";
import { DeviceEnd } from "../serial/device-end.ts";

/** An Arduino Uno's pins: D0-D13, then A0-A5 as pins 14-19. */
const DIGITAL_PINS = 14;
const ANALOG_PINS = 6;
const PIN_COUNT = DIGITAL_PINS + ANALOG_PINS;

export interface FirmataBoardOptions {
  /** StandardFirmata's default sampling interval */
  samplingMs: number;
  reopenMs: number;
  /** say hello when the link opens, as an Arduino does after the reset a port open causes */
  announce: boolean;
}

export const FIRMATA_BOARD_DEFAULTS: FirmataBoardOptions = { samplingMs: 100, reopenMs: 100, announce: true };

/**
 * A StandardFirmata board at the byte level, on the device end of a byte link: it answers the
 * handshake in the order firmata-io needs (version, firmware, capabilities, analog mapping),
 * reports the analog channels it is asked to, and keeps its pins' levels. Scenarios set
 * `analog[channel]` (a temperature, a smoke sensor), drive an input pin with `setInput` (a smoke
 * detector's contact; reported per port as StandardFirmata does: when reporting is enabled and on
 * every change), read `pins` (what the relays do) and make it `hang`. It answers the host's
 * liveness probe (a firmware query) whenever it is not hung.
 */
export class FirmataBoardPeer {
  /** raw 0-1023 per analog channel */
  readonly analog: number[] = new Array(ANALOG_PINS).fill(0);
  /** digital level per pin */
  readonly pins: boolean[] = new Array(PIN_COUNT).fill(false);
  readonly modes: number[] = new Array(PIN_COUNT).fill(PinMode.input);
  /** levels the outside world holds input pins at (kept across a reset: the wiring stays) */
  readonly inputs = new Map<number, boolean>();
  private hung = false;
  /** firmware queries answered (the host's liveness probe) */
  firmwareQueries = 0;
  private readonly parser = new FirmataParser("board");
  private readonly reporting = new Set<number>();
  private readonly reportingPorts = new Set<number>();
  private samplingMs: number;
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly end: DeviceEnd;

  constructor(
    link: ByteLink,
    private readonly clock: Clock,
    opts: FirmataBoardOptions = FIRMATA_BOARD_DEFAULTS,
    private readonly log?: Logger,
  ) {
    this.samplingMs = opts.samplingMs;
    this.end = new DeviceEnd(link, clock, opts.reopenMs, {
      onData: (c) => this.onBytes(c),
      onOpened: () => {
        // A port open resets an Arduino: it forgets what it reported and says hello.
        this.reporting.clear();
        this.reportingPorts.clear();
        if (opts.announce) this.hello();
      },
    });
  }

  async start(): Promise<void> {
    this.running = true;
    await this.end.start();
    this.sample();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    await this.end.stop();
  }

  /**
   * The board hangs (a brown-out, a crashed sketch): the port stays open, nothing it is sent is
   * read, nothing is answered or reported. `hang(false)`: it answers again (as after a reset).
   */
  hang(on: boolean): void {
    this.hung = on;
  }

  get isHung(): boolean {
    return this.hung;
  }

  /** The world drives an input pin (a detector's contact): reported if its port reports. */
  setInput(pin: number, level: boolean): void {
    if (pin >= PIN_COUNT || this.inputs.get(pin) === level) return;
    this.inputs.set(pin, level);
    const port = pin >> 3;
    if (this.reportingPorts.has(port)) this.sendPort(port);
  }

  private level(pin: number): boolean {
    return this.inputs.get(pin) ?? this.pins[pin] ?? false;
  }

  private sendPort(port: number): void {
    let value = 0;
    for (let bit = 0; bit < 8; bit++) if (this.level(port * 8 + bit)) value |= 1 << bit;
    this.send(encode.digitalPort(port, value));
  }

  private hello(): void {
    this.send(encode.version(2, 5));
    this.send(encode.firmware(2, 5, "StandardFirmata.ino"));
  }

  private sample(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => this.sample(), this.samplingMs);
    for (const ch of this.reporting) this.send(encode.analog(ch, this.analog[ch] ?? 0));
  }

  private onBytes(chunk: Uint8Array): void {
    if (this.hung) return;
    for (const m of this.parser.push(chunk)) this.handle(m);
  }

  private handle(m: FirmataMessage): void {
    switch (m.type) {
      case "version-query":
        this.send(encode.version(2, 5));
        return;
      case "reset":
        this.reporting.clear();
        this.reportingPorts.clear();
        this.pins.fill(false);
        return;
      case "pin-mode":
        if (m.pin < PIN_COUNT) this.modes[m.pin] = m.mode;
        return;
      case "set-pin":
        this.setPin(m.pin, m.value);
        return;
      case "digital-port":
        for (let bit = 0; bit < 8; bit++) this.setPin(m.port * 8 + bit, ((m.value >> bit) & 1) === 1, true);
        return;
      case "report-analog":
        if (m.channel >= ANALOG_PINS) return;
        if (m.enable) this.reporting.add(m.channel);
        else this.reporting.delete(m.channel);
        return;
      case "report-digital":
        if (!m.enable) {
          this.reportingPorts.delete(m.port);
          return;
        }
        // StandardFirmata answers an enable with the port's levels at once.
        this.reportingPorts.add(m.port);
        this.sendPort(m.port);
        return;
      case "sysex":
        this.sysex(m.command, m.data);
        return;
      default:
        return;
    }
  }

  /** From a port message only output pins change (the others are inputs or pull-up enables). */
  private setPin(pin: number, value: boolean, fromPort = false): void {
    if (pin >= PIN_COUNT) return;
    if (fromPort && this.modes[pin] !== PinMode.output) return;
    if (this.pins[pin] !== value) this.log?.debug({ pin, value }, "simulated board pin");
    this.pins[pin] = value;
  }

  private sysex(command: number, data: number[]): void {
    switch (command) {
      case Sysex.reportFirmware:
        this.firmwareQueries++;
        this.send(encode.firmware(2, 5, "StandardFirmata.ino"));
        return;
      case Sysex.capabilityQuery: {
        const caps = Array.from({ length: PIN_COUNT }, (_, pin) => {
          const modes: [number, number][] = [
            [PinMode.input, 1],
            [PinMode.output, 1],
            [PinMode.pullup, 1],
          ];
          if (pin >= DIGITAL_PINS) modes.push([PinMode.analog, 10]);
          return modes;
        });
        this.send(encode.capabilities(caps));
        return;
      }
      case Sysex.analogMappingQuery:
        this.send(
          encode.analogMapping(
            Array.from({ length: PIN_COUNT }, (_, p) => (p >= DIGITAL_PINS ? p - DIGITAL_PINS : 0x7f)),
          ),
        );
        return;
      case Sysex.pinStateQuery: {
        const pin = data[0] ?? 0;
        this.send(encode.pinState(pin, this.modes[pin] ?? 0, this.pins[pin] ? 1 : 0));
        return;
      }
      case Sysex.samplingInterval:
        this.samplingMs = Math.max(10, (data[0] ?? 0) | ((data[1] ?? 0) << 7));
        return;
      default:
        return;
    }
  }

  private send(bytes: Uint8Array): void {
    if (!this.hung) this.end.send(bytes);
  }
}
