import type { ByteLink } from "../../device/ports/byte-link.ts";
import type { Clock, TimerHandle } from "../../device/ports/clock.ts";

/**
 * The device end of a serial wire, as a simulated peer holds it: open it, reopen it after the
 * wire went away (a replugged pty), hand received bytes on, and send without ever throwing (a
 * byte written while the cable is out is lost, as on a real wire).
 */
export class DeviceEnd {
  private running = false;
  private reopenTimer: TimerHandle | undefined;
  private readonly unsubs: (() => void)[] = [];

  constructor(
    private readonly link: ByteLink,
    private readonly clock: Clock,
    private readonly reopenMs: number,
    private readonly handlers: { onData(chunk: Uint8Array): void; onOpened?(): void },
  ) {}

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  async start(): Promise<void> {
    this.running = true;
    this.unsubs.push(
      this.link.onData((c) => this.handlers.onData(c)),
      this.link.onClose(() => this.scheduleReopen()),
    );
    await this.open();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.reopenTimer);
    for (const u of this.unsubs.splice(0)) u();
    await this.link.close().catch(() => undefined);
  }

  send(bytes: Uint8Array): void {
    if (!this.link.isOpen) return;
    this.link.write(bytes).catch(() => undefined);
  }

  private async open(): Promise<void> {
    try {
      await this.link.open();
    } catch {
      this.scheduleReopen();
      return;
    }
    this.handlers.onOpened?.();
  }

  private scheduleReopen(): void {
    if (!this.running || this.reopenTimer) return;
    this.reopenTimer = this.clock.setTimeout(() => {
      this.reopenTimer = undefined;
      void this.open();
    }, this.reopenMs);
  }
}
