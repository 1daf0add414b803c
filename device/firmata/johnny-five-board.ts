import { EventEmitter } from "node:events";
import type { ByteLink } from "../ports/byte-link.ts";
import type { Clock, TimerHandle } from "../ports/clock.ts";
import type { IoBoard, IoBoardStatus, IoPinMode } from "../ports/io-board.ts";
import { Listeners } from "../ports/listeners.ts";
import { type ProbeInput, type ProbeState, probeStart, probeStep } from "./liveness.ts";

export interface JohnnyFiveBoardOptions {
  readonly readyTimeoutMs: number;
  readonly reopenMs: number;
  /** a firmware query every probeMs; PROBE_MISSES in a row unanswered: the board is hung */
  readonly probeMs?: number;
  /** how often johnny-five reads an analog sensor */
  readonly analogFreqMs: number;
}

/** The parts of johnny-five and firmata-io used here (both are CommonJS without types). */
interface Five {
  Board: new (opts: Record<string, unknown>) => J5Board;
  Sensor: new (opts: Record<string, unknown>) => EventEmitter & { value: number | null; disable(): void };
  Relay: new (opts: Record<string, unknown>) => RelayLike;
}
/** johnny-five's Relay: close() closes the circuit (the load is on), open() opens it. */
interface RelayLike {
  close(): void;
  open(): void;
}
interface J5Board extends EventEmitter {
  io: FirmataIo;
  isReady: boolean;
}
/** REPORT_FIRMWARE as a query: StandardFirmata answers it at any time (protocols.md) */
const FIRMWARE_QUERY = Buffer.from([0xf0, 0x79, 0xf7]);

interface FirmataIo extends EventEmitter {
  MODES: Record<string, number>;
  pinMode(pin: number, mode: number): void;
  digitalRead(pin: number, cb: (value: number) => void): void;
}

const MODE: Record<IoPinMode, string> = {
  input: "INPUT",
  output: "OUTPUT",
  analog: "ANALOG",
  pullup: "PULLUP",
};

/**
 * firmata-io wants a transport that emits `open`, `data`, `close` and has `write(buf, cb)`. Our
 * link is opened before Firmata exists, so the `open` that makes Firmata (and then johnny-five)
 * go ahead is emitted here by hand: without it the Board waits forever (stacks.md).
 */
class LinkTransport extends EventEmitter {
  private readonly unsubs: (() => void)[];

  constructor(private readonly link: ByteLink) {
    super();
    this.unsubs = [link.onData((c) => this.emit("data", Buffer.from(c)))];
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  write(data: Buffer, cb?: (err?: Error) => void): void {
    this.link.write(data).then(
      () => cb?.(),
      (err: Error) => cb?.(err),
    );
  }

  dispose(): void {
    for (const u of this.unsubs.splice(0)) u();
    this.removeAllListeners();
  }
}

/**
 * An Arduino-class board with StandardFirmata, driven by johnny-five through firmata-io over an
 * injected byte link. johnny-five and firmata-io are imported on the first start(): a station
 * without a board never loads them. Pin modes and output levels are remembered and applied again
 * after every (re)connect, so an unplugged board comes back with its relays where they were.
 */
export class JohnnyFiveBoard implements IoBoard {
  private five: Five | undefined;
  private board: J5Board | undefined;
  private transport: LinkTransport | undefined;
  private current: IoBoardStatus = { ready: false, detail: "not started" };
  private readonly statuses = new Listeners<IoBoardStatus>();
  private readonly modes = new Map<number, IoPinMode>();
  private readonly levels = new Map<number, boolean>();
  private readonly relays = new Map<number, RelayLike>();
  /** johnny-five sensors run their own setInterval: disabled at teardown, or they keep the process alive */
  private readonly sensors: { disable(): void }[] = [];
  private readonly analogListeners = new Map<number, Listeners<number>>();
  /** ms between readings per channel (a smoke sensor is read faster than a temperature) */
  private readonly analogFreq = new Map<number, number>();
  private readonly digitalListeners = new Map<number, Listeners<boolean>>();
  private readyTimer: TimerHandle | undefined;
  private probeTimer: TimerHandle | undefined;
  private probe: ProbeState | undefined;
  private reopenTimer: TimerHandle | undefined;
  private running = false;
  private readonly unsubs: (() => void)[] = [];

  constructor(
    readonly path: string,
    private readonly link: ByteLink,
    private readonly clock: Clock,
    private readonly opts: JohnnyFiveBoardOptions,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    // The three johnny-five classes used, not its index (which loads every component it has).
    const [board, sensor, relay, firmata] = await Promise.all([
      import("johnny-five/lib/board.js"),
      import("johnny-five/lib/sensor.js"),
      import("johnny-five/lib/relay.js"),
      import("firmata-io"),
    ]);
    this.five = { Board: board.default, Sensor: sensor.default, Relay: relay.default } as Five;
    this.firmata = (firmata.default as { Firmata: FirmataCtor }).Firmata;
    this.unsubs.push(this.link.onClose((err) => this.onClosed(err)));
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.readyTimer);
    this.clock.clearTimeout(this.reopenTimer);
    for (const u of this.unsubs.splice(0)) u();
    this.teardown();
    await this.link.close().catch(() => undefined);
  }

  status(): IoBoardStatus {
    return this.current;
  }

  onStatus(listener: (status: IoBoardStatus) => void): () => void {
    return this.statuses.add(listener);
  }

  pinMode(pin: number, mode: IoPinMode): void {
    this.modes.set(pin, mode);
    if (this.board?.isReady) this.applyMode(pin, mode);
  }

  digitalWrite(pin: number, value: boolean): void {
    this.levels.set(pin, value);
    if (this.board?.isReady) this.applyLevel(pin, value);
  }

  onAnalog(channel: number, listener: (value: number) => void, freqMs?: number): () => void {
    const freq = Math.min(
      freqMs ?? this.opts.analogFreqMs,
      this.analogFreq.get(channel) ?? Number.POSITIVE_INFINITY,
    );
    this.analogFreq.set(channel, freq);
    let set = this.analogListeners.get(channel);
    if (!set) {
      set = new Listeners<number>();
      this.analogListeners.set(channel, set);
      if (this.board?.isReady) this.watchAnalog(channel, set);
    }
    return set.add(listener);
  }

  onDigital(pin: number, listener: (value: boolean) => void): () => void {
    let set = this.digitalListeners.get(pin);
    if (!set) {
      set = new Listeners<boolean>();
      this.digitalListeners.set(pin, set);
      if (this.board?.isReady) this.watchDigital(pin, set);
    }
    return set.add(listener);
  }

  private firmata: FirmataCtor | undefined;

  private async connect(): Promise<void> {
    if (!this.running) return;
    try {
      await this.link.open();
    } catch (err) {
      this.setStatus({ ready: false, detail: (err as Error).message });
      this.scheduleReopen();
      return;
    }
    const five = this.five as Five;
    const Firmata = this.firmata as FirmataCtor;
    const transport = new LinkTransport(this.link);
    // A short version timeout: a board that does not announce itself is asked at once.
    const io = new Firmata(transport, { reportVersionTimeout: 200 });
    const board = new five.Board({
      io,
      repl: false,
      debug: false,
      sigint: false,
      timeout: this.opts.readyTimeoutMs,
    });
    this.transport = transport;
    this.board = board;
    board.on("error", () => undefined);
    board.once("ready", () => this.onReady(board));
    this.readyTimer = this.clock.setTimeout(() => {
      if (this.board !== board || board.isReady) return;
      this.setStatus({
        ready: false,
        detail: `${this.path} did not answer the Firmata handshake within ${this.opts.readyTimeoutMs} ms`,
      });
      // Start again from a closed port: a board that was mid-reset may answer the next time.
      this.teardown();
      void this.link.close().then(() => this.scheduleReopen());
    }, this.opts.readyTimeoutMs);
    setImmediate(() => transport.emit("open"));
  }

  private onReady(board: J5Board): void {
    if (this.board !== board) return;
    this.clock.clearTimeout(this.readyTimer);
    for (const [pin, mode] of this.modes) this.applyMode(pin, mode);
    for (const [pin, level] of this.levels) this.applyLevel(pin, level);
    for (const [ch, set] of this.analogListeners) this.watchAnalog(ch, set);
    for (const [pin, set] of this.digitalListeners) this.watchDigital(pin, set);
    this.setStatus({ ready: true });
    this.probe = probeStart();
    // firmata-io emits "queryfirmware" for every firmware reply (its handshake listens once)
    board.io.on("queryfirmware", () => this.onProbe(board, { kind: "answer" }));
    this.scheduleProbe(board);
  }

  /**
   * The liveness probe (liveness.ts): a board that hangs with the port still open (a crashed
   * sketch, a brown-out, a pty or USB hub that loses the far end without a close) answers no
   * firmware query. Drop the connection and start again, as after an unplug: reopening the port
   * resets an Arduino, which is what cures a hung sketch.
   */
  private scheduleProbe(board: J5Board): void {
    const probeMs = this.opts.probeMs ?? 1000;
    this.probeTimer = this.clock.setTimeout(() => {
      if (this.board !== board) return;
      this.onProbe(board, { kind: "tick" });
      if (this.board === board) this.scheduleProbe(board);
    }, probeMs);
  }

  private onProbe(board: J5Board, input: ProbeInput): void {
    if (this.board !== board || !this.probe) return;
    const { state, effects } = probeStep(this.probe, input);
    this.probe = state;
    for (const e of effects) {
      if (e.kind === "query") this.transport?.write(FIRMWARE_QUERY);
      else {
        this.setStatus({
          ready: false,
          detail: `${this.path} answered none of ${e.unanswered} Firmata firmware queries (${this.opts.probeMs ?? 1000} ms apart): hung`,
        });
        this.teardown();
        void this.link.close().then(() => this.scheduleReopen());
      }
    }
  }

  private applyMode(pin: number, mode: IoPinMode): void {
    const io = this.board?.io;
    const m = io?.MODES[MODE[mode]];
    if (io && m !== undefined) io.pinMode(pin, m);
  }

  private applyLevel(pin: number, value: boolean): void {
    const board = this.board;
    if (!board) return;
    let relay = this.relays.get(pin);
    if (!relay) {
      // johnny-five's Relay never sets the pin's mode: do it first (stacks.md).
      this.applyMode(pin, "output");
      relay = new (this.five as Five).Relay({ pin, board });
      this.relays.set(pin, relay);
    }
    if (value) relay.close();
    else relay.open();
  }

  private watchAnalog(channel: number, set: Listeners<number>): void {
    const sensor = new (this.five as Five).Sensor({
      pin: `A${channel}`,
      board: this.board,
      freq: this.analogFreq.get(channel) ?? this.opts.analogFreqMs,
    });
    this.sensors.push(sensor);
    sensor.on("data", () => {
      // The first reading may be null (nothing sampled yet).
      if (typeof sensor.value === "number") set.emit(sensor.value);
    });
  }

  private watchDigital(pin: number, set: Listeners<boolean>): void {
    this.board?.io.digitalRead(pin, (v) => set.emit(v === 1));
  }

  private onClosed(err: Error | undefined): void {
    if (!this.running) return;
    // Closed by us (hung, or no handshake): that status says why, and the reopen is scheduled.
    if (!this.board) return;
    this.teardown();
    this.setStatus({ ready: false, detail: err ? `unplugged: ${err.message}` : "closed" });
    this.scheduleReopen();
  }

  private teardown(): void {
    this.clock.clearTimeout(this.readyTimer);
    this.clock.clearTimeout(this.probeTimer);
    this.probe = undefined;
    for (const s of this.sensors.splice(0)) s.disable();
    const board = this.board;
    if (board) {
      // johnny-five's own connect timeout emits "error" on the Board later: an unheard "error"
      // would be an uncaught exception that takes the station down, so one listener stays.
      clearTimeout((board as unknown as { timer?: NodeJS.Timeout }).timer);
      board.removeAllListeners();
      board.on("error", () => undefined);
      board.io.removeAllListeners();
      board.io.on("error", () => undefined);
    }
    this.transport?.dispose();
    this.board = undefined;
    this.transport = undefined;
    this.relays.clear();
  }

  private scheduleReopen(): void {
    if (!this.running || this.reopenTimer) return;
    this.reopenTimer = this.clock.setTimeout(() => {
      this.reopenTimer = undefined;
      void this.connect();
    }, this.opts.reopenMs);
  }

  private setStatus(s: IoBoardStatus): void {
    if (s.ready === this.current.ready && s.detail === this.current.detail) return;
    this.current = s;
    this.statuses.emit(s);
  }
}

type FirmataCtor = new (transport: EventEmitter, opts: Record<string, unknown>) => FirmataIo;
