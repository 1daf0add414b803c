import { StationError } from "../../config/errors.ts";
import type { ByteLink } from "../ports/byte-link.ts";
import { Listeners } from "../ports/listeners.ts";

/** The part of serialport's SerialPort this link uses (so the import can stay lazy). */
interface Port {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  write(data: Uint8Array, cb: (err: Error | null | undefined) => void): boolean;
  drain(cb: (err: Error | null) => void): void;
  on(event: "data", l: (chunk: Buffer) => void): void;
  on(event: "close", l: (err?: Error | null) => void): void;
  on(event: "error", l: (err: Error) => void): void;
  removeAllListeners(): void;
}

/**
 * A ByteLink over the real serialport bindings: a USB-serial adapter, a UART, or one end of a
 * pty pair (serialport's stream over its native bindings). They are imported on the first
 * open(), so a station without serial devices
 * never loads it (it costs several MB of RSS, and the memory budget has none to spare).
 */
export class SerialPortLink implements ByteLink {
  private port: Port | undefined;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<Error | undefined>();
  private closing = false;

  constructor(
    readonly path: string,
    private readonly baudRate: number,
  ) {}

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    // The stream and the native bindings, not serialport's index (which also loads every parser
    // and the mock binding): the same 13.0.0 the serialport package pins.
    const [{ SerialPortStream }, { autoDetect }] = await Promise.all([
      import("@serialport/stream"),
      import("@serialport/bindings-cpp"),
    ]);
    const port = new SerialPortStream({
      binding: autoDetect(),
      path: this.path,
      baudRate: this.baudRate,
      autoOpen: false,
    }) as unknown as Port;
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(
              new StationError("SERIAL_UNAVAILABLE", "serial", `cannot open ${this.path}: ${err.message}`, {
                hint: "check the cable and the device path (ls -l /dev/serial/by-id/), and that no other program holds it",
                cause: err,
              }),
            )
          : resolve(),
      ),
    );
    this.closing = false;
    port.on("data", (chunk) => this.data.emit(chunk));
    // An unplug: the bindings see EIO and close the port with a "disconnected" error.
    port.on("error", () => undefined);
    port.on("close", (err) => {
      if (this.port === port) this.port = undefined;
      port.removeAllListeners();
      this.closed.emit(this.closing ? undefined : (err ?? new Error(`${this.path} closed`)));
    });
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.closing = true;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new StationError("SERIAL_IO", "serial", `${this.path} is not open`);
    await new Promise<void>((resolve, reject) =>
      port.write(bytes, (err) =>
        err
          ? reject(new StationError("SERIAL_IO", "serial", `write to ${this.path}: ${err.message}`))
          : resolve(),
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
