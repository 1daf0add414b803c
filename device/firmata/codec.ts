/**
 * Firmata (StandardFirmata 2.5) messages as pure functions: the byte shapes from
 * ../shared/reference/protocols.md. The host side is firmata-io's own parser; this codec is what
 * the simulated board speaks, and it parses both directions so tests can read either.
 *
 * Framing is MIDI-like: a byte ≥ 0x80 starts a message, data bytes are 7-bit. A status byte in
 * the middle of a message abandons the message, which is how the stream resynchronises.
 */
export const REPORT_VERSION = 0xf9;
export const START_SYSEX = 0xf0;
export const END_SYSEX = 0xf7;
export const SYSTEM_RESET = 0xff;

export const Sysex = {
  reportFirmware: 0x79,
  capabilityQuery: 0x6b,
  capabilityResponse: 0x6c,
  analogMappingQuery: 0x69,
  analogMappingResponse: 0x6a,
  pinStateQuery: 0x6d,
  pinStateResponse: 0x6e,
  samplingInterval: 0x7a,
  string: 0x71,
} as const;

export const PinMode = { input: 0, output: 1, analog: 2, pwm: 3, servo: 4, pullup: 0x0b } as const;

export type FirmataMessage =
  | { type: "version"; major: number; minor: number }
  | { type: "version-query" }
  | { type: "analog"; channel: number; value: number }
  | { type: "digital-port"; port: number; value: number }
  | { type: "report-analog"; channel: number; enable: boolean }
  | { type: "report-digital"; port: number; enable: boolean }
  | { type: "pin-mode"; pin: number; mode: number }
  | { type: "set-pin"; pin: number; value: boolean }
  | { type: "reset" }
  | { type: "sysex"; command: number; data: number[] };

/** A SysEx longer than this is garbage (the largest StandardFirmata reply is the capability list). */
const MAX_SYSEX = 1024;

/** The data length after each status nibble / byte, for the fixed-length messages. */
function dataLength(status: number): number | undefined {
  if (status === REPORT_VERSION) return undefined; // 0 (query) or 2 (answer): decided by the role
  switch (status & 0xf0) {
    case 0xe0:
    case 0x90:
      return 2;
    case 0xc0:
    case 0xd0:
      return 1;
  }
  if (status === 0xf4 || status === 0xf5) return 2;
  if (status === SYSTEM_RESET) return 0;
  return undefined;
}

export interface FirmataStats {
  messages: number;
  /** bytes dropped: data without a status, unknown status bytes, abandoned messages */
  droppedBytes: number;
}

/**
 * A streaming Firmata parser. `role` "board" reads what a host sends (F9 alone is a version
 * query); "host" reads what a board sends (F9 is followed by major, minor). Never throws.
 */
export class FirmataParser {
  readonly stats: FirmataStats = { messages: 0, droppedBytes: 0 };
  private status: number | undefined;
  private data: number[] = [];

  constructor(private readonly role: "board" | "host") {}

  push(chunk: Uint8Array): FirmataMessage[] {
    const out: FirmataMessage[] = [];
    for (const byte of chunk) {
      if (byte >= 0x80) {
        if (this.status === START_SYSEX && byte === END_SYSEX) {
          out.push(this.sysex(this.data));
          this.reset();
          continue;
        }
        if (this.status !== undefined) this.drop(1 + this.data.length);
        this.status = byte;
        this.data = [];
        if (byte !== START_SYSEX && this.expected(byte) === undefined) {
          this.drop(1);
          this.reset();
          continue;
        }
      } else {
        if (this.status === undefined) {
          this.drop(1);
          continue;
        }
        this.data.push(byte);
        if (this.status === START_SYSEX && this.data.length > MAX_SYSEX) {
          this.drop(1 + this.data.length);
          this.reset();
          continue;
        }
      }
      const s = this.status;
      if (s !== undefined && s !== START_SYSEX && this.data.length === this.expected(s)) {
        out.push(this.message(s, this.data));
        this.reset();
      }
    }
    this.stats.messages += out.length;
    return out;
  }

  private expected(status: number): number | undefined {
    if (status === REPORT_VERSION) return this.role === "board" ? 0 : 2;
    return dataLength(status);
  }

  private message(s: number, d: number[]): FirmataMessage {
    const [a = 0, b = 0] = d;
    if (s === REPORT_VERSION)
      return this.role === "board" ? { type: "version-query" } : { type: "version", major: a, minor: b };
    if (s === SYSTEM_RESET) return { type: "reset" };
    if (s === 0xf4) return { type: "pin-mode", pin: a, mode: b };
    if (s === 0xf5) return { type: "set-pin", pin: a, value: b !== 0 };
    const low = s & 0x0f;
    switch (s & 0xf0) {
      case 0xe0:
        return { type: "analog", channel: low, value: a | (b << 7) };
      case 0x90:
        return { type: "digital-port", port: low, value: a | (b << 7) };
      case 0xc0:
        return { type: "report-analog", channel: low, enable: a !== 0 };
      default:
        return { type: "report-digital", port: low, enable: a !== 0 };
    }
  }

  private sysex(d: number[]): FirmataMessage {
    const [command = 0, ...data] = d;
    return { type: "sysex", command, data };
  }

  private drop(n: number): void {
    this.stats.droppedBytes += n;
  }

  private reset(): void {
    this.status = undefined;
    this.data = [];
  }
}

const lsb = (v: number) => v & 0x7f;
const msb = (v: number) => (v >> 7) & 0x7f;

export const encode = {
  version: (major: number, minor: number) => Uint8Array.of(REPORT_VERSION, major, minor),
  firmware: (major: number, minor: number, name: string) => {
    const chars = [...name].flatMap((c) => [lsb(c.charCodeAt(0)), msb(c.charCodeAt(0))]);
    return Uint8Array.from([START_SYSEX, Sysex.reportFirmware, major, minor, ...chars, END_SYSEX]);
  },
  analog: (channel: number, value: number) => Uint8Array.of(0xe0 | (channel & 0x0f), lsb(value), msb(value)),
  digitalPort: (port: number, value: number) => Uint8Array.of(0x90 | (port & 0x0f), lsb(value), msb(value)),
  /** per pin: [mode, resolution] pairs */
  capabilities: (pins: readonly (readonly [number, number])[][]) =>
    Uint8Array.from([
      START_SYSEX,
      Sysex.capabilityResponse,
      ...pins.flatMap((p) => [...p.flat(), 0x7f]),
      END_SYSEX,
    ]),
  /** per pin: its analog channel, or 0x7f */
  analogMapping: (channels: readonly number[]) =>
    Uint8Array.from([START_SYSEX, Sysex.analogMappingResponse, ...channels, END_SYSEX]),
  pinState: (pin: number, mode: number, state: number) =>
    Uint8Array.from([START_SYSEX, Sysex.pinStateResponse, pin, mode, lsb(state), END_SYSEX]),
  pinMode: (pin: number, mode: number) => Uint8Array.of(0xf4, pin, mode),
  reportAnalog: (channel: number, on: boolean) => Uint8Array.of(0xc0 | channel, on ? 1 : 0),
};
