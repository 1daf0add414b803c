import { StationError } from "../../config/errors.ts";
import type { ByteLink } from "../../device/ports/byte-link.ts";
import { Listeners } from "../../device/ports/listeners.ts";

/**
 * Two ByteLinks joined in-process, for stations without socat and fast tests: what one end
 * writes, the other receives on a later tick (as from a UART, never inside the write call).
 * `unplug()` makes the host's device vanish: its link closes with an error and open() fails
 * until `replug()`.
 */
export class LinkPair {
  readonly host: InProcessLink;
  readonly device: InProcessLink;
  private plugged = true;

  constructor(path: string) {
    this.host = new InProcessLink(path, this);
    this.device = new InProcessLink(`${path}#device`, this);
    this.host.peer = this.device;
    this.device.peer = this.host;
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  unplug(): void {
    this.plugged = false;
    this.host.drop(new StationError("SERIAL_IO", "serial", `${this.host.path} disconnected`));
  }

  replug(): void {
    this.plugged = true;
  }
}

export class InProcessLink implements ByteLink {
  peer: InProcessLink | undefined;
  private open_ = false;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<Error | undefined>();

  constructor(
    readonly path: string,
    private readonly pair: LinkPair,
  ) {}

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    if (!this.pair.isPlugged && this === this.pair.host) {
      throw new StationError("SERIAL_UNAVAILABLE", "serial", `cannot open ${this.path}: no such device`);
    }
    this.open_ = true;
  }

  async close(): Promise<void> {
    if (!this.open_) return;
    this.open_ = false;
    this.closed.emit(undefined);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.open_) throw new StationError("SERIAL_IO", "serial", `${this.path} is not open`);
    const copy = Uint8Array.from(bytes);
    const peer = this.peer;
    // A byte written while the cable is out, or before the far end listens, is lost, as on a wire.
    if (!this.pair.isPlugged || !peer?.isOpen) return;
    setImmediate(() => {
      if (peer.isOpen && this.pair.isPlugged) peer.data.emit(copy);
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  /** @internal the cable was pulled */
  drop(error: Error): void {
    if (!this.open_) return;
    this.open_ = false;
    this.closed.emit(error);
  }
}
