import { SerialPort } from "serialport";
import { StationError } from "../../config/errors.ts";
import type { ByteLink } from "../ports/byte-link.ts";
import { Listeners } from "../ports/listeners.ts";

export interface SerialLinkOptions {
  path: string;
  baudRate: number;
  parity?: "none" | "even" | "odd";
  stopBits?: 1 | 2;
}

/**
 * A serial line through the real serialport bindings (a USB–RS485 adapter, a UART, or in tests a
 * socat pty). Each open() makes a new SerialPort: after an unplug the old handle is dead, and the
 * owner reopens by calling open() again.
 */
export class SerialLink implements ByteLink {
  private port: SerialPort | undefined;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<Error | undefined>();

  constructor(private readonly opts: SerialLinkOptions) {}

  get path(): string {
    return this.opts.path;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    const port = new SerialPort({
      path: this.opts.path,
      baudRate: this.opts.baudRate,
      parity: this.opts.parity ?? "none",
      stopBits: this.opts.stopBits ?? 1,
      dataBits: 8,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(
              new StationError(
                "MODBUS_LINK_DOWN",
                "modbus",
                `cannot open ${this.opts.path}: ${err.message}`,
                {
                  cause: err,
                  hint: "check the USB–RS485 adapter is plugged in and the path in /dev/serial/by-id/",
                },
              ),
            )
          : resolve(),
      ),
    );
    port.on("data", (chunk: Buffer) => this.data.emit(chunk));
    // A close we did not ask for (unplug, the pty's other end gone) carries an error.
    port.on("close", (err?: Error | null) => {
      if (this.port === port) this.port = undefined;
      this.closed.emit(err ?? undefined);
    });
    port.on("error", () => {
      // errors also arrive as a failed write or a close; an unhandled 'error' would crash
    });
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  async write(data: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new StationError("MODBUS_LINK_DOWN", "modbus", `${this.opts.path} is not open`);
    await new Promise<void>((resolve, reject) =>
      port.write(Buffer.from(data), (err) =>
        err ? reject(new StationError("MODBUS_LINK_DOWN", "modbus", err.message, { cause: err })) : resolve(),
      ),
    );
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }
}
