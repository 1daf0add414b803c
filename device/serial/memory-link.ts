import { StationError } from "../../config/errors.ts";
import type { ByteLink } from "../ports/byte-link.ts";
import { Listeners } from "../ports/listeners.ts";

/**
 * Two ends of an in-process wire, for fast tests and the demo: what one end writes arrives at the
 * other on the next turn of the event loop. `unplug()` drops both ends as a pulled cable would.
 */
export class MemoryLink implements ByteLink {
  peer: MemoryLink | undefined;
  private open_ = false;
  private plugged = true;
  private readonly data = new Listeners<Uint8Array>();
  private readonly closed = new Listeners<Error | undefined>();

  constructor(readonly path: string) {}

  static pair(path = "memory"): [MemoryLink, MemoryLink] {
    const a = new MemoryLink(`${path}:a`);
    const b = new MemoryLink(`${path}:b`);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    if (!this.plugged) throw new StationError("MODBUS_LINK_DOWN", "modbus", `${this.path} is unplugged`);
    this.open_ = true;
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  async write(data: Uint8Array): Promise<void> {
    if (!this.open_) throw new StationError("MODBUS_LINK_DOWN", "modbus", `${this.path} is not open`);
    const copy = data.slice();
    const peer = this.peer;
    setImmediate(() => {
      if (peer?.open_) peer.data.emit(copy);
    });
  }

  onData(listener: (chunk: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error?: Error) => void): () => void {
    return this.closed.add(listener);
  }

  /** Pull the cable: this end closes with an error and cannot reopen until `plug()`. */
  unplug(): void {
    this.plugged = false;
    if (!this.open_) return;
    this.open_ = false;
    this.closed.emit(new StationError("MODBUS_LINK_DOWN", "modbus", `${this.path} unplugged`));
  }

  plug(): void {
    this.plugged = true;
  }
}
