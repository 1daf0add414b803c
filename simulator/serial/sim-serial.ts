import type { ByteLink } from "../../device/ports/byte-link.ts";
import { SerialPortLink } from "../../device/serial/serialport-link.ts";
import { LinkPair } from "./link-pair.ts";
import { SocatPty } from "./socat-pty.ts";

/**
 * The wire between a driver and a simulated serial device: a real pty pair (socat) through the
 * real serialport bindings when socat is installed, an in-process pair otherwise. `how` goes
 * into the demo's banner, so nobody mistakes one for the other.
 */
export interface SimSerialWire {
  readonly host: ByteLink;
  readonly device: ByteLink;
  readonly how: string;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  dispose(): Promise<void>;
}

export async function openSimSerialWire(
  name: string,
  baudRate: number,
  socat: string | undefined,
): Promise<SimSerialWire> {
  if (socat) {
    const pty = new SocatPty(socat, name);
    await pty.plug();
    return {
      host: new SerialPortLink(pty.hostPath, baudRate),
      device: new SerialPortLink(pty.devicePath, baudRate),
      how: `a socat pty (${pty.hostPath}) through the real serialport bindings`,
      unplug: () => pty.unplug(),
      replug: () => pty.plug(),
      dispose: () => pty.dispose(),
    };
  }
  const pair = new LinkPair(`/dev/sim-${name}`);
  return {
    host: pair.host,
    device: pair.device,
    how: "an in-process stream (socat not installed: sudo apt-get install -y socat)",
    unplug: async () => pair.unplug(),
    replug: async () => pair.replug(),
    dispose: async () => {},
  };
}
