import { isStationError, StationError } from "../../config/errors.ts";
import type { ByteLink } from "../ports/byte-link.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import { Listeners } from "../ports/listeners.ts";
import {
  charMs,
  decodeResponse,
  encodeRequest,
  frameSizes,
  interFrameMs,
  type ModbusRequest,
  type ModbusResponse,
  responseLength,
} from "./rtu-codec.ts";

export interface RtuMasterOptions {
  baud: number;
  /** wait for an answer beyond its own wire time */
  timeoutMs: number;
  /** extra attempts after a timeout, CRC error or bad frame (an exception reply is not retried) */
  retries: number;
  /** consecutive failed requests before a device is reported offline */
  offlineAfter: number;
  /** first wait before reopening a link that went away; doubles up to 8× */
  reopenMs: number;
  /**
   * attempts in a row without one byte from anybody before the line itself is taken for dead and
   * reopened (a pty or a wedged USB adapter does not always report its hang-up)
   */
  reopenAfterSilent?: number;
}

export interface DeviceStats {
  requests: number;
  ok: number;
  timeouts: number;
  crcErrors: number;
  badFrames: number;
  exceptions: number;
  retries: number;
  consecutiveFailures: number;
  online: boolean;
  lastError?: string;
}

export type Answer = Exclude<ModbusResponse, { fn: "exception" }>;

export interface RequestOptions {
  timeoutMs?: number;
  retries?: number;
}

interface Pending {
  req: ModbusRequest;
  buf: Uint8Array;
  len: number;
  done: (frame: Uint8Array | StationError) => void;
}

/**
 * A Modbus RTU master on one RS-485 line: one transaction on the wire at a time, the 3.5-character
 * silence before each request, an answer framed by its expected length (no wait for the trailing
 * silence), a timeout, retries, and per-device counters. The link is reopened by itself after an
 * unplug; meanwhile every request fails fast with MODBUS_LINK_DOWN.
 */
export class RtuMaster {
  private readonly devices = new Map<number, DeviceStats>();
  private readonly deviceChanges = new Listeners<{ unit: number; online: boolean; detail?: string }>();
  private readonly linkChanges = new Listeners<{ up: boolean; detail?: string }>();
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private lastWireMs = Number.NEGATIVE_INFINITY;
  private reopenTimer: TimerHandle | undefined;
  private reopenDelay: number;
  private running = false;
  private unsubscribe: (() => void)[] = [];
  private silentAttempts = 0;
  linkErrors = 0;

  constructor(
    private readonly link: ByteLink,
    private readonly clock: Clock,
    private readonly opts: RtuMasterOptions,
  ) {
    this.reopenDelay = opts.reopenMs;
  }

  get linkUp(): boolean {
    return this.link.isOpen;
  }

  /** Opens the line; a line that cannot open is retried in the background, never thrown. */
  async start(): Promise<void> {
    this.running = true;
    this.unsubscribe.push(
      this.link.onData((chunk) => this.onData(chunk)),
      this.link.onClose((err) => this.onClosed(err)),
    );
    await this.tryOpen();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.reopenTimer);
    this.fail(new StationError("MODBUS_LINK_DOWN", "modbus", "master stopped"));
    for (const u of this.unsubscribe.splice(0)) u();
    await this.link.close();
  }

  stats(): ReadonlyMap<number, Readonly<DeviceStats>> {
    return this.devices;
  }

  device(unit: number): DeviceStats {
    let d = this.devices.get(unit);
    if (!d) {
      d = {
        requests: 0,
        ok: 0,
        timeouts: 0,
        crcErrors: 0,
        badFrames: 0,
        exceptions: 0,
        retries: 0,
        consecutiveFailures: 0,
        online: true,
      };
      this.devices.set(unit, d);
    }
    return d;
  }

  onDevice(listener: (change: { unit: number; online: boolean; detail?: string }) => void): () => void {
    return this.deviceChanges.add(listener);
  }

  onLink(listener: (change: { up: boolean; detail?: string }) => void): () => void {
    return this.linkChanges.add(listener);
  }

  /** One request, retried as configured; resolves with the answer or rejects with a typed error. */
  request(req: ModbusRequest, options: RequestOptions = {}): Promise<Answer> {
    const run = this.chain.then(() => this.transact(req, options));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async transact(req: ModbusRequest, options: RequestOptions): Promise<Answer> {
    const dev = this.device(req.unit);
    dev.requests++;
    const attempts = 1 + Math.max(0, options.retries ?? this.opts.retries);
    let last: StationError | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) dev.retries++;
      const result = await this.once(req, options.timeoutMs ?? this.opts.timeoutMs);
      if (!(result instanceof StationError)) {
        let res: ModbusResponse;
        try {
          res = decodeResponse(result, req);
        } catch (err) {
          last = this.count(dev, err);
          continue;
        }
        if (res.fn === "exception") {
          dev.exceptions++;
          this.succeeded(dev, req.unit); // it answered: the device is there
          throw new StationError("MODBUS_EXCEPTION", "modbus", `unit ${req.unit} exception ${res.code}`, {
            unit: req.unit,
            exceptionCode: res.code,
          });
        }
        dev.ok++;
        this.succeeded(dev, req.unit);
        return res;
      }
      last = this.count(dev, result);
      if (result.code === "MODBUS_LINK_DOWN") break;
      if (result.code === "MODBUS_TIMEOUT" && ++this.silentAttempts >= (this.opts.reopenAfterSilent ?? 6)) {
        this.silentAttempts = 0;
        await this.recycle();
        break;
      }
    }
    const err = last ?? new StationError("MODBUS_TIMEOUT", "modbus", "no answer");
    this.failed(dev, req.unit, err);
    throw err;
  }

  private count(dev: DeviceStats, err: unknown): StationError {
    const e = isStationError(err)
      ? err
      : new StationError("MODBUS_BAD_FRAME", "modbus", String(err), { cause: err });
    if (e.code === "MODBUS_CRC") dev.crcErrors++;
    else if (e.code === "MODBUS_TIMEOUT") dev.timeouts++;
    else if (e.code === "MODBUS_BAD_FRAME") dev.badFrames++;
    return e;
  }

  private succeeded(dev: DeviceStats, unit: number): void {
    dev.consecutiveFailures = 0;
    if (!dev.online) {
      dev.online = true;
      this.deviceChanges.emit({ unit, online: true });
    }
  }

  private failed(dev: DeviceStats, unit: number, err: StationError): void {
    dev.consecutiveFailures++;
    dev.lastError = err.code;
    if (dev.online && dev.consecutiveFailures >= this.opts.offlineAfter) {
      dev.online = false;
      this.deviceChanges.emit({ unit, online: false, detail: err.code });
    }
  }

  /** One attempt on the wire: the raw answer frame, or the error that ended it. */
  private async once(req: ModbusRequest, timeoutMs: number): Promise<Uint8Array | StationError> {
    if (!this.link.isOpen) return new StationError("MODBUS_LINK_DOWN", "modbus", `${this.link.path} is down`);
    // The silence that tells every slave on the line the previous frame has ended.
    const wait = this.lastWireMs + interFrameMs(this.opts.baud) - this.clock.monotonic();
    if (wait > 0) await new Promise<void>((r) => this.clock.setTimeout(r, wait));
    const frame = encodeRequest(req);
    const sizes = frameSizes(req);
    const wire = (sizes.request + sizes.response) * charMs(this.opts.baud);
    return new Promise<Uint8Array | StationError>((resolve) => {
      let timer: TimerHandle | undefined;
      const done = (r: Uint8Array | StationError) => {
        this.clock.clearTimeout(timer);
        this.pending = undefined;
        this.lastWireMs = this.clock.monotonic();
        resolve(r);
      };
      this.pending = { req, buf: new Uint8Array(0), len: 0, done };
      timer = this.clock.setTimeout(
        () =>
          done(
            new StationError("MODBUS_TIMEOUT", "modbus", `unit ${req.unit} did not answer`, {
              unit: req.unit,
              received: this.pending?.buf.length ?? 0,
            }),
          ),
        timeoutMs + wire,
      );
      this.link
        .write(frame)
        .catch((err) =>
          done(isStationError(err) ? err : new StationError("MODBUS_LINK_DOWN", "modbus", String(err))),
        );
    });
  }

  private onData(chunk: Uint8Array): void {
    this.lastWireMs = this.clock.monotonic();
    this.silentAttempts = 0;
    const p = this.pending;
    if (!p) return; // late bytes of an answer that already timed out: dropped
    const buf = new Uint8Array(p.buf.length + chunk.length);
    buf.set(p.buf);
    buf.set(chunk, p.buf.length);
    p.buf = buf;
    const len = responseLength(buf, p.req);
    if (len !== undefined && buf.length >= len) p.done(buf.subarray(0, len));
  }

  private fail(err: StationError): void {
    this.pending?.done(err);
  }

  private onClosed(err?: Error): void {
    this.fail(new StationError("MODBUS_LINK_DOWN", "modbus", `${this.link.path} closed`));
    if (!this.running) return;
    this.linkErrors++;
    this.linkChanges.emit({ up: false, detail: err?.message ?? "closed" });
    this.scheduleReopen();
  }

  /** The whole line has gone quiet: close it and open it again, as after an unplug. */
  private async recycle(): Promise<void> {
    this.linkErrors++;
    this.linkChanges.emit({ up: false, detail: "no answer from any device" });
    await this.link.close().catch(() => undefined);
    this.scheduleReopen();
  }

  private async tryOpen(): Promise<void> {
    try {
      await this.link.open();
      this.reopenDelay = this.opts.reopenMs;
      this.linkChanges.emit({ up: true });
    } catch (err) {
      this.linkChanges.emit({ up: false, detail: isStationError(err) ? err.message : String(err) });
      this.scheduleReopen();
    }
  }

  private scheduleReopen(): void {
    if (!this.running) return;
    this.clock.clearTimeout(this.reopenTimer);
    const delay = this.reopenDelay;
    this.reopenDelay = Math.min(this.reopenDelay * 2, this.opts.reopenMs * 8);
    this.reopenTimer = this.clock.setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.running && !this.link.isOpen) void this.tryOpen();
    }, delay);
  }
}
